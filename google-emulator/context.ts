import type { SigningKey } from "./oauth2/signing-key";
import type { SetDelivery } from "./risc/delivery";
import type { EmulatorState } from "./state";

export interface EmulatorContext {
  state: EmulatorState;
  key: SigningKey;
  /** Base URL without trailing slash; also the issuer. */
  baseUrl: string;
  /** Pushes security events to receivers; its timers and log live outside the state. */
  riscDelivery: SetDelivery;
}
