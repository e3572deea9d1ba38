/** A periodic job: what it did in words for the log, or undefined when there was nothing to say. */
export type Job = { name: string; everyMs: number; run: () => Promise<string | undefined> };

export type JobLoop = {
  /** Starts no further round; resolves once every round already running has finished. */
  stop(): Promise<void>;
};

/**
 * Runs each job on its interval, never two rounds of one job at once. Timers are unref'd unless
 * keepAlive, so the loop alone never holds a process open.
 */
export function runJobsOnIntervals(jobs: readonly Job[], options: { keepAlive?: boolean } = {}): JobLoop {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  for (const job of jobs) {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      const round = job
        .run()
        .then((summary) => {
          if (summary) console.log(`[evergreen] ${summary}`);
        })
        .catch((error: unknown) => console.error(`[evergreen] ${job.name} failed`, error))
        .finally(() => {
          busy = false;
          running.delete(round);
        });
      running.add(round);
    };
    const timer = setInterval(tick, job.everyMs);
    if (!options.keepAlive) timer.unref();
    timers.push(timer);
  }
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
