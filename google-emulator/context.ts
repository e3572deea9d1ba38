import type { SigningKey } from "./oauth2/signing-key";
import type { EmulatorState } from "./state";

export interface EmulatorContext {
  state: EmulatorState;
  key: SigningKey;
  /** Base URL without trailing slash; also the issuer. */
  baseUrl: string;
}
