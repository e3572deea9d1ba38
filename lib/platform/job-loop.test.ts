import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it, vi } from "vitest";
import { runJobsOnIntervals, type JobLoop } from "./job-loop";

let loop: JobLoop | undefined;
afterEach(async () => {
  await loop?.stop();
  vi.restoreAllMocks();
});

/** A job whose rounds wait until the test lets each one end. */
function heldJob(everyMs = 5) {
  const rounds: Array<() => void> = [];
  const job = {
    name: "held",
    everyMs,
    run: () => new Promise<undefined>((resolve) => rounds.push(() => resolve(undefined))),
  };
  return { job, rounds };
}

async function until(condition: () => boolean) {
  while (!condition()) await sleep(2);
}

it("stop resolves only when the running round ends, and no round starts after it", async () => {
  const { job, rounds } = heldJob();
  loop = runJobsOnIntervals([job]);
  await until(() => rounds.length === 1);

  let stopped = false;
  const stopping = loop.stop().then(() => (stopped = true));
  await sleep(30);
  expect(stopped).toBe(false);

  rounds[0]!();
  await stopping;
  expect(stopped).toBe(true);
  await sleep(30);
  expect(rounds).toHaveLength(1);
});

it("never runs two rounds of one job at once", async () => {
  const { job, rounds } = heldJob(2);
  loop = runJobsOnIntervals([job]);
  await until(() => rounds.length === 1);
  await sleep(30);
  expect(rounds).toHaveLength(1);
  rounds[0]!();
  await until(() => rounds.length === 2);
  rounds[1]!();
});

it("stop with nothing running resolves at once", async () => {
  const run = vi.fn(async () => undefined);
  loop = runJobsOnIntervals([{ name: "hourly", everyMs: 3_600_000, run }]);
  await loop.stop();
  expect(run).not.toHaveBeenCalled();
});

it("logs a failed round and goes on with the next", async () => {
  const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  let calls = 0;
  loop = runJobsOnIntervals([
    {
      name: "flaky",
      everyMs: 2,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error("boom");
        return undefined;
      },
    },
  ]);
  await until(() => calls >= 2);
  expect(errors).toHaveBeenCalledWith("[evergreen] flaky failed", expect.objectContaining({ message: "boom" }));
});
