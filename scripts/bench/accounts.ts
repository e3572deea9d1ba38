import { randomBytes } from "node:crypto";
import { EmulatorControl } from "@/google-emulator/control/client";
import { startGoogleEmulator } from "@/google-emulator/index";
import { createDb, type Db } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { AppDeps } from "@/lib/platform/deps";
import type { Env } from "@/lib/platform/env";
import { runJobsOnIntervals } from "@/lib/platform/job-loop";
import { enqueueMessage } from "@/lib/mail/messages";
import { drainOutbox, OUTBOX, runOutboxOnce } from "@/lib/mail/outbox";
import { PACING } from "@/lib/mail/pacing";
import { benchDeps, message } from "./outbox";
import { benchDatabases } from "./databases";
import { connectedGoogleUser } from "./setup";

/**
 * Throughput across accounts (issue 22, item 3): 100 connected accounts, each paced at
 * ACCOUNTS_BENCH.pacePerMinute a minute (GMAIL_SENDS_PER_MINUTE), more queued than that, and the local
 * Google answering every send after 300 ms, as Gmail does. Two workers run the outbox job as the
 * server and `npm run worker` do (every second, never two rounds at once) for one minute; the run
 * counts what was sent in it against the sum of the accounts' paces. The serial worker of before
 * (one message at a time, 10 a claim) is the baseline in the same run.
 */

export const ACCOUNTS_BENCH = {
  accounts: 100,
  workers: 2,
  pacePerMinute: 6,
  queuedPerAccount: 8,
  sendLatencyMs: 300,
  windowMs: 60_000,
  goal: 0.9,
} as const;

export type AccountsRow = {
  database: string;
  worker: string;
  sent: number;
  /** The sum of the accounts' paces over the window: what a perfect outbox sends in it. */
  possible: number;
  share: number;
  /** Seconds from the start until the window's possible sends had all left; null if they never did. */
  paceReachedSeconds: number | null;
  /** The most any one account sent in any 60 s: never above its pace. */
  mostInAMinute: number;
  duplicates: number;
  seconds: number;
};
export type AccountsBenchReport = { rows: AccountsRow[]; postgres?: string; skipped: string[] };

/** Today's outbox job, and the serial worker of before: one message at a time, 10 a claim, one round a tick. */
const WORKER_MODES = [
  { worker: "serial (before)", turn: (deps: AppDeps) => runOutboxOnce(deps, 10, 1) },
  { worker: `concurrent (${OUTBOX.accountsAtOnce} accounts at once)`, turn: (deps: AppDeps) => drainOutbox(deps) },
] as const;

async function connectedAccounts(control: EmulatorControl, url: string, deps: AppDeps): Promise<string[]> {
  const run = randomBytes(3).toString("hex");
  const userIds: string[] = [];
  for (let n = 0; n < ACCOUNTS_BENCH.accounts; n++)
    userIds.push(
      await connectedGoogleUser(control, url, deps, {
        email: `accounts-bench-${run}-${n}@evergreen.test`,
        name: `Sender ${n}`,
      }),
    );
  return userIds;
}

/** The most sends that fell in any 60 s, for the account that sent most densely. */
function mostInAnyMinute(startsByAccount: Map<string, number[]>): number {
  let most = 0;
  for (const starts of startsByAccount.values()) {
    starts.sort((a, b) => a - b);
    for (let first = 0, last = 0; last < starts.length; last++) {
      while (starts[last]! - starts[first]! >= 60_000) first++;
      most = Math.max(most, last - first + 1);
    }
  }
  return most;
}

async function measure(
  db: Db,
  database: Env["database"]["provider"],
  mode: (typeof WORKER_MODES)[number],
  log: (line: string) => void,
): Promise<AccountsRow> {
  const emulator = await startGoogleEmulator({ port: 0 });
  try {
    const control = new EmulatorControl(emulator.url);
    const deps: AppDeps = {
      ...benchDeps(db, [{ id: "bench", key: randomBytes(32) }], emulator.url),
      sendsPerMinute: ACCOUNTS_BENCH.pacePerMinute,
    };
    await db.message.deleteMany({});
    const userIds = await connectedAccounts(control, emulator.url, deps);
    await control.configure({ sendLatencyMs: ACCOUNTS_BENCH.sendLatencyMs });
    // Interleaved, as many users' mail arrives: the first message of every account, then the second…
    for (let k = 0; k < ACCOUNTS_BENCH.queuedPerAccount; k++)
      for (const userId of userIds) await enqueueMessage(userId, message(`Accounts ${k}`), deps);
    await db.message.updateMany({ data: { nextAttemptAt: new Date(Date.now() - 1_000) } });

    const started = Date.now();
    const workers = Array.from({ length: ACCOUNTS_BENCH.workers }, () =>
      runJobsOnIntervals([
        {
          name: "outbox",
          everyMs: 1_000,
          run: async () => {
            await mode.turn(deps);
            return undefined;
          },
        },
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, ACCOUNTS_BENCH.windowMs));
    await Promise.all(workers.map((worker) => worker.stop()));
    const seconds = (Date.now() - started) / 1000;

    const sent = await db.message.findMany({
      where: { status: "SENT" },
      select: { userId: true, sendStartedAt: true, rfc822MessageId: true },
    });
    const inWindow = sent.filter((row) => row.sendStartedAt!.getTime() < started + ACCOUNTS_BENCH.windowMs);
    const startsByAccount = new Map<string, number[]>();
    for (const row of sent)
      startsByAccount.set(row.userId, [...(startsByAccount.get(row.userId) ?? []), row.sendStartedAt!.getTime()]);
    const arrived = (await control.messages()).map((arrival) => arrival.messageId);
    const possible = ACCOUNTS_BENCH.accounts * ACCOUNTS_BENCH.pacePerMinute * (ACCOUNTS_BENCH.windowMs / 60_000);
    const starts = inWindow.map((row) => row.sendStartedAt!.getTime()).sort((a, b) => a - b);
    const lastPossible = starts[possible - 1];
    log(`  ${database}: ${mode.worker} measured`);
    return {
      database,
      worker: mode.worker,
      sent: inWindow.length,
      possible,
      share: inWindow.length / possible,
      paceReachedSeconds: lastPossible === undefined ? null : (lastPossible - started) / 1000,
      mostInAMinute: mostInAnyMinute(startsByAccount),
      duplicates: arrived.length - new Set(arrived).size,
      seconds,
    };
  } finally {
    await emulator.close();
  }
}

export async function benchAccounts(
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<AccountsBenchReport> {
  const report: AccountsBenchReport = { rows: [], skipped: [] };
  const databases = await benchDatabases("accounts", report, onCleanup);
  for (const database of databases) {
    await migrateDatabase(database);
    const db = createDb(database);
    onCleanup(() => db.$disconnect());
    for (const mode of WORKER_MODES) report.rows.push(await measure(db, database.provider, mode, log));
  }
  return report;
}

export function formatAccountsTable(report: AccountsBenchReport): string {
  const pad = (value: string | number, width: number) => String(value).padStart(width);
  return [
    `database    worker                                sent  possible   share  all sent by  most/min/account  duplicates  seconds`,
    ...report.rows.map(
      (row) =>
        `${row.database.padEnd(10)}  ${row.worker.padEnd(36)}  ${pad(row.sent, 4)}  ${pad(row.possible, 8)}  ${pad(`${(row.share * 100).toFixed(1)}%`, 6)}  ${pad(row.paceReachedSeconds === null ? "-" : `${row.paceReachedSeconds.toFixed(1)} s`, 11)}  ${pad(row.mostInAMinute, 16)}  ${pad(row.duplicates, 10)}  ${pad(row.seconds.toFixed(1), 7)}`,
    ),
  ].join("\n");
}

/** The goal lines: each concurrent row at ≥ 90 % of the paces, no account over its pace, nothing twice. */
export function accountsGoalLines(report: AccountsBenchReport): string[] {
  const hold = Math.ceil(ACCOUNTS_BENCH.pacePerMinute * PACING.holdAt);
  return report.rows.map((row) => {
    const concurrent = !row.worker.startsWith("serial");
    const met = (!concurrent || row.share >= ACCOUNTS_BENCH.goal) && row.mostInAMinute <= hold && row.duplicates === 0;
    return `${met ? "met" : "NOT MET"}: ${row.database}, ${row.worker}: ${(row.share * 100).toFixed(1)}% of the paces${concurrent ? ` (goal ≥ ${ACCOUNTS_BENCH.goal * 100}%)` : ""}, at most ${row.mostInAMinute} sends in a minute per account (pace ${ACCOUNTS_BENCH.pacePerMinute}, held at ${hold}), ${row.duplicates} duplicates`;
  });
}
