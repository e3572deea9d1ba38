import { Clock } from "@/google-emulator/clock";

/**
 * The soak's one clock: the app's deps.now and the local Google's expiries both read it. It stands
 * still between moves, so a run is the same for a seed however fast the machine is.
 */
export class SoakClock extends Clock {
  constructor(private readonly startMs: number) {
    super();
  }

  override now(): number {
    return this.startMs + this.offsetMs;
  }

  date = (): Date => new Date(this.now());

  /** Moves to an absolute moment (never backwards). */
  moveTo(ms: number): void {
    if (ms < this.now()) throw new Error("the soak clock never goes back");
    this.offsetMs = ms - this.startMs;
  }
}
