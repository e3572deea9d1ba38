import { afterAll, beforeAll, beforeEach } from "vitest";
import { EmulatorControl } from "./control/client";
import { startGoogleEmulator, type GoogleEmulator, type GoogleEmulatorOptions } from "./index";

// Vitest's lifecycle around one emulator per test file; kept apart from testing.ts so that Playwright,
// which cannot load Vitest, can use the OAuth helpers there.

export interface EmulatorHandle {
  readonly url: string;
  /** The control API of this file's emulator. */
  readonly control: EmulatorControl;
  emulator(): GoogleEmulator;
}

/** One emulator per test file, reset to its seed before every test. */
export function setupEmulator(options: GoogleEmulatorOptions = {}): EmulatorHandle {
  let emulator: GoogleEmulator | undefined;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ port: 0, ...options });
  });
  beforeEach(async () => {
    await emulator?.reset();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const get = () => {
    if (!emulator) throw new Error("emulator not started");
    return emulator;
  };
  return {
    get url() {
      return get().url;
    },
    get control() {
      return new EmulatorControl(get().url);
    },
    emulator: get,
  };
}
