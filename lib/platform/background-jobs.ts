import { keepConnectionsAlive } from "../connection/keep-alive";
import { drainOutbox } from "../mail/outbox";
import { feedMerges } from "../outreach/merge-feeder";
import { feedSequences } from "../outreach/sequence-feeder";
import { checkScheduledConnections } from "../mail/scheduled-check";
import { pruneRateLimits } from "../http/rate-limit";
import { retryPendingRevocations } from "../connection/revocation";
import { checkRepliesDue } from "../outreach/reply-detection";
import { runJobsOnIntervals, type Job, type JobLoop } from "./job-loop";

/**
 * Periodic work that runs inside the Node server: sending due messages, retrying revokes that Google
 * did not answer at disconnect time, the keep-alive of idle Gmail connections, and dropping idle
 * rate-limit counters. Every server runs them; each job is safe to run on several at once. Timers are
 * unref'd so they never keep a process alive.
 */

/** Often enough that a sent message shows as sent within about two seconds of its moment. */
const OUTBOX_INTERVAL_MS = 1_000;
const REVOKE_RETRY_INTERVAL_MS = 60_000;
/** 50 connections every 10 minutes: 7,200 a day, 50,000 idle connections within the 7-day idle limit. */
const KEEP_ALIVE_INTERVAL_MS = 10 * 60_000;
const KEEP_ALIVE_BATCH = 50;

const SCHEDULED_CHECK_INTERVAL_MS = 5 * 60_000;

const JOBS: Job[] = [
  {
    name: "scheduled-mail check",
    everyMs: SCHEDULED_CHECK_INTERVAL_MS,
    run: async () => {
      const { parked } = await checkScheduledConnections();
      return parked > 0 ? `scheduled-mail check: ${parked} held until Gmail is reconnected` : undefined;
    },
  },
  {
    // Before the outbox in each round, so a recipient handed over now is sent in the same round.
    name: "merge feeder",
    everyMs: OUTBOX_INTERVAL_MS,
    run: async () => {
      const { queued, skipped, finished, held } = await feedMerges();
      return queued + skipped + finished > 0
        ? `merges: ${queued} queued, ${skipped} skipped, ${finished} finished, ${held} holding`
        : undefined;
    },
  },
  {
    // Beside the merge feeder, before the outbox: a step handed over now is sent in the same round.
    name: "sequence feeder",
    everyMs: OUTBOX_INTERVAL_MS,
    run: async () => {
      const { queued, stopped, finished, held, late, resumed } = await feedSequences();
      return queued + stopped + finished + held + late + resumed > 0
        ? `sequences: ${queued} steps queued, ${stopped} stopped, ${finished} finished, ${held} holding for reconnect, ${late} late (asking), ${resumed} resumed`
        : undefined;
    },
  },
  {
    name: "outbox",
    everyMs: OUTBOX_INTERVAL_MS,
    run: async () => {
      const outcomes = await drainOutbox();
      const summary = Object.entries(outcomes).filter(([, count]) => count > 0);
      return summary.length > 0
        ? `outbox: ${summary.map(([outcome, count]) => `${count} ${outcome}`).join(", ")}`
        : undefined;
    },
  },
  {
    // Does nothing unless GMAIL_REPLY_DETECTION=metadata; each thread is read at most once an hour.
    name: "reply checks",
    everyMs: 60_000,
    run: async () => {
      const { replied, bounced, none, manual, unavailable } = await checkRepliesDue();
      return replied + bounced + none + manual + unavailable > 0
        ? `reply checks: ${replied} replied, ${bounced} bounced, ${none} no reply, ${manual} manual, ${unavailable} to retry`
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
  {
    name: "rate-limit prune",
    everyMs: 60 * 60_000,
    run: async () => {
      const pruned = await pruneRateLimits();
      return pruned > 0 ? `rate limits: ${pruned} idle counters dropped` : undefined;
    },
  },
];

/** One round of every job, for the cron route of serverless hosts: what each did, in words. */
export async function runEveryJobOnce(): Promise<Record<string, string>> {
  const report: Record<string, string> = {};
  for (const job of JOBS) {
    try {
      report[job.name] = (await job.run()) ?? "nothing to do";
    } catch (error) {
      console.error(`[evergreen] ${job.name} failed`, error);
      report[job.name] = "failed (see the server log)";
    }
  }
  return report;
}

let loop: JobLoop | undefined;

/**
 * Runs every job on its interval until stopped: inside each app server (unless BACKGROUND_JOBS=off), or
 * in `npm run worker`, which passes keepAlive so its timers hold it open. A second call returns the first loop.
 */
export function startBackgroundJobs(options: { keepAlive?: boolean } = {}): JobLoop {
  loop ??= runJobsOnIntervals(JOBS, options);
  return loop;
}

/** Stops this process's jobs, if it started them: no new round; resolves when the running rounds end. */
export async function stopBackgroundJobs(): Promise<void> {
  await loop?.stop();
}
