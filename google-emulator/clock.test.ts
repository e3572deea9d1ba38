import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Clock } from "./clock";
import { EmulatorControl } from "./control/client";
import { startGoogleEmulator, type GoogleEmulator } from "./index";

describe("an injected clock", () => {
  const clock = new Clock();
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ port: 0, clock });
  });
  afterAll(() => emulator.close());

  it("is the one the emulator reads: moving it moves the emulator, and the control API moves it", async () => {
    const control = new EmulatorControl(emulator.url);
    clock.advance(3600);
    expect((await control.clock()).offsetSeconds).toBe(3600);
    await control.advanceClock(60);
    expect(clock.offsetMs).toBe(3_660_000);
  });
});
