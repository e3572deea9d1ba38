import { keepConnectionsAlive } from "./keep-alive";
import { runOutboxOnce } from "./outbox";
import { retryPendingRevocations } from "./revocation";

/**
 * Periodic work that runs inside the Node server: sending due messages, retrying revokes that Google
 * did not answer at disconnect time, and the keep-alive of idle Gmail connections. Every server runs
 * them; each job is safe to run on several at once. Timers are unref'd so they never keep a process alive.
 */

/** Often enough that a sent message shows as sent within about two seconds of its moment. */
const OUTBOX_INTERVAL_MS = 1_000;
const REVOKE_RETRY_INTERVAL_MS = 60_000;
/** 50 connections every 10 minutes: 7,200 a day, 50,000 idle connections within the 7-day idle limit. */
const KEEP_ALIVE_INTERVAL_MS = 10 * 60_000;
const KEEP_ALIVE_BATCH = 50;

type Job = { name: string; everyMs: number; run: () => Promise<string | undefined> };

const JOBS: Job[] = [
  {
    name: "outbox",
    everyMs: OUTBOX_INTERVAL_MS,
    run: async () => {
      const outcomes = await runOutboxOnce();
      const summary = Object.entries(outcomes).filter(([, count]) => count > 0);
      return summary.length > 0
        ? `outbox: ${summary.map(([outcome, count]) => `${count} ${outcome}`).join(", ")}`
        : undefined;
    },
  },
  {
    name: "pending revoke retry",
    everyMs: REVOKE_RETRY_INTERVAL_MS,
    run: async () => {
      const { revoked, failed } = await retryPendingRevocations();
      return revoked + failed > 0 ? `pending revokes: ${revoked} done, ${failed} not revoked yet` : undefined;
    },
  },
  {
    name: "keep-alive",
    everyMs: KEEP_ALIVE_INTERVAL_MS,
    run: async () => {
      const { renewed, ended, failed } = await keepConnectionsAlive(KEEP_ALIVE_BATCH);
      return renewed + ended + failed > 0
        ? `keep-alive: ${renewed} renewed, ${ended} found ended, ${failed} to retry`
        : undefined;
    },
  },
];

let started = false;

export function startBackgroundJobs(): void {
  if (started) return;
  started = true;
  for (const job of JOBS) {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        const summary = await job.run();
        if (summary) console.log(`[evergreen] ${summary}`);
      } catch (error) {
        console.error(`[evergreen] ${job.name} failed`, error);
      } finally {
        running = false;
      }
    };
    setInterval(() => void tick(), job.everyMs).unref();
  }
}
