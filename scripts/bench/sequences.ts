import { benchDatabases } from "./databases";
import { randomBytes } from "node:crypto";
import { EmulatorControl } from "@/google-emulator/control/client";
import { startGoogleEmulator } from "@/google-emulator/index";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { EVERGREEN_SCOPES } from "@/google-emulator/testing";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { searchTextOf } from "@/lib/crm/contacts";
import { googleGateway } from "@/lib/google/gateway";
import { GMAIL_METADATA_SCOPE } from "@/lib/google/oauth";
import { runOutboxOnce, type SendOutcome } from "@/lib/mail/outbox";
import { MERGE_PACE } from "@/lib/outreach/merge-schedule";
import { checkRepliesDue, REPLY_CHECK_INTERVAL_MS, REPLY_CHECKS_PER_RUN } from "@/lib/outreach/reply-detection";
import { feedSequences, findDueEnrolments } from "@/lib/outreach/sequence-feeder";
import { parseSequence, type SequenceFormValues } from "@/lib/outreach/sequence-rules";
import { createSequence } from "@/lib/outreach/sequences";
import { createDb, databaseProvider, type Db } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { AppDeps } from "@/lib/platform/deps";
import type { Env } from "@/lib/platform/env";
import { seededRandom } from "@/test-support/seeded-random";
import { connectedGoogleUser } from "./setup";

/**
 * Sequences at scale (issue #20), on a SQLite file and on PostgreSQL, against the local Google:
 * 10 connected users with reply detection on, each with 100 contacts and 10 three-step sequences, every
 * contact in all ten: 10,000 active enrolments over 1,000 contacts, due over the next 3 weeks, 1% now.
 * - the tick's query (findDueEnrolments) and a whole idle tick (feedSequences with nothing due), beside
 *   a baseline that reads every active enrolment and picks the due ones in JavaScript;
 * - the steps: the feeder and one outbox pass per 1 s tick of a moved clock, until the first emails of
 *   the 200 earliest enrolments are sent through the local Google (the 100 due at the start, then the
 *   clock moved to when the next 100 are due);
 * - reply checks: those 200 threads (5% with a reply added at the local Google), the reply job once a
 *   minute of both clocks for three check intervals, every threads.get counted per thread.
 */

export const SEQUENCE_BENCH = {
  users: 10,
  contactsPerUser: 100,
  sequencesPerUser: 10,
  spreadDays: 21,
  dueNow: 100,
  tickRuns: 200,
  /** A slow measure (the baseline) stops early, never below minRuns, so the whole run stays within minutes. */
  minRuns: 30,
  measureBudgetMs: 5_000,
  warmUp: 5,
  goalTickP95Ms: 50,
  /**
   * First emails sent through the outbox: the threads whose replies are then checked. 200, not 1,000:
   * at 60–150 ms a step on a busy 2-core machine, 1,000 real sends alone take minutes per database.
   */
  sentSteps: 200,
  tickMs: 1_000,
  replyIntervals: 3,
  replyJobEveryMs: 60_000,
  /** Threads (of sentSteps, 5%) a contact answers at the local Google before the checks begin. */
  replies: 10,
  goalReadsPerInterval: 1,
} as const;

const B = SEQUENCE_BENCH;
const ENROLMENTS = B.users * B.contactsPerUser * B.sequencesPerUser;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The idle tick runs this long before the first due step: nothing of the 10,000 is due. */
const IDLE_BEFORE_MS = 15 * MINUTE;

export type SequenceBenchRow = {
  database: Env["database"]["provider"];
  measure: string;
  /** Calls timed (a measure's runs, a drain's ticks, the reply job's runs with work). */
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  result: string;
  goal: string;
  /** Undefined for a row without a goal (the baseline, the steps). */
  met?: boolean;
};

export type StepDrain = {
  database: Env["database"]["provider"];
  sent: number;
  ticks: number;
  /** The outbox's outcomes other than sent (paced, retry, failed, …), by outcome. */
  outcomes: Partial<Record<SendOutcome, number>>;
  feederSeconds: number;
  outboxSeconds: number;
  stepsPerSecond: number;
  msPerStep: number;
};

export type ReplyChecks = {
  database: Env["database"]["provider"];
  threads: number;
  replied: number;
  reads: number;
  /** gmail.threads.get calls the local Google counted (its control API) over the same runs. */
  readsAtGoogle: number;
  checks: number;
  /** Per interval: active threads at its start, reads, least and most reads of one active thread. */
  intervals: Array<{ active: number; reads: number; min: number; max: number }>;
  /** Most reads of one thread in any REPLY_CHECK_INTERVAL_MS of the app's clock. */
  maxReadsInAnyInterval: number;
  msPerCheck: number;
  idleRunP95Ms: number;
};

export type SequenceBenchReport = {
  ranAt: string;
  node: string;
  postgres?: string;
  settings: typeof SEQUENCE_BENCH;
  seedSeconds: Record<string, number>;
  /** The database's plan for the tick's query. */
  plans: Record<string, string>;
  rows: SequenceBenchRow[];
  steps: StepDrain[];
  replies: ReplyChecks[];
  skipped: string[];
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round1 = (value: number) => Math.round(value * 10) / 10;
const en = (value: number) => value.toLocaleString("en");

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    p50Ms: round1(percentile(sorted, 50)),
    p95Ms: round1(percentile(sorted, 95)),
    maxMs: round1(sorted.at(-1) ?? NaN),
  };
}

/** The app's clock and the local Google's, moved forward together from real time. */
class Clocks {
  private offsetMs = 0;
  constructor(private readonly control: EmulatorControl) {}
  now = () => new Date(Date.now() + this.offsetMs);
  async advance(ms: number) {
    this.offsetMs += ms;
    await this.control.advanceClock(ms / 1000);
  }
}

/** Every day, all day: the bench measures sending, not waiting for a window (which the feeder still checks). */
const form = (n: number): SequenceFormValues => ({
  name: `Trial follow-up ${n}`,
  timeZone: "Europe/Berlin",
  days: ["0", "1", "2", "3", "4", "5", "6"],
  from: "0:00",
  to: "24:00",
  steps: [
    { subject: "Your trial, {{first_name | there}}", body: "Hi {{first_name}}, welcome.", delay: "", business: "" },
    { subject: "", body: "Hi {{first_name}}, any questions?", delay: "2", business: "on" },
    { subject: "", body: "Hi {{first_name}}, last note from me.", delay: "3", business: "on" },
  ],
});

const FIRST = ["Maria", "James", "Aiko", "Priya", "Omar", "Lena", "Noah", "Sofia", "Arjun", "Chloe"] as const;
const LAST = ["Smith", "Garcia", "Tanaka", "Patel", "Nowak", "Rossi", "Dubois", "Evans", "Khan", "Berg"] as const;
const ZONES = ["", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"] as const;

/** A user with reply detection on, connected through the local Google's screens with gmail.metadata granted. */
const connectedUser = (control: EmulatorControl, url: string, deps: AppDeps, n: number) =>
  connectedGoogleUser(control, url, deps, {
    email: `sequence-bench-${n}@evergreen.test`,
    name: `Sender ${n}`,
    scopes: [...EVERGREEN_SCOPES, GMAIL_METADATA_SCOPE],
    replyDetection: true,
  });

/** Contacts and sequences through the lib, the 10,000 enrolments with createMany; returns the start. */
async function seed(db: Db, deps: AppDeps, userIds: string[]): Promise<number> {
  // Seeded: every run benchmarks the same schedule.
  const next = seededRandom(20).next;
  const start = deps.now().getTime();
  const enrolments = [];
  for (const [u, userId] of userIds.entries()) {
    const contacts = Array.from({ length: B.contactsPerUser }, (_, i) => {
      const values = {
        name: `${FIRST[(u + i) % FIRST.length]} ${LAST[i % LAST.length]}`,
        email: `contact-${u}-${i}@example${i % 7}.test`,
        company: "",
      };
      return {
        id: `sb${u}x${i}${randomBytes(6).toString("hex")}`,
        userId,
        ...values,
        timeZone: ZONES[i % ZONES.length],
        searchText: searchTextOf(values),
      };
    });
    await db.contact.createMany({ data: contacts });
    for (let s = 0; s < B.sequencesPerUser; s++) {
      const { id: sequenceId } = await createSequence(userId, parseSequence(form(s + 1)), deps);
      const { id: versionId } = await db.sequenceVersion.findFirstOrThrow({
        where: { sequenceId },
        select: { id: true },
      });
      for (const contact of contacts) {
        const at = new Date(start + MINUTE + Math.floor(next() * (B.spreadDays * DAY - MINUTE)));
        enrolments.push({
          userId,
          sequenceId,
          versionId,
          contactId: contact.id,
          email: contact.email,
          dueAt: at,
          nextSendAt: at,
          enrolledAt: new Date(start - DAY),
        });
      }
    }
  }
  // 1% due now, over the last 10 minutes: one a stride, so every user and sequence has some.
  const stride = Math.floor(enrolments.length / B.dueNow);
  for (let k = 0; k < B.dueNow; k++) {
    const at = new Date(start - Math.floor(next() * 10 * MINUTE));
    Object.assign(enrolments[k * stride + Math.floor(next() * stride)]!, { dueAt: at, nextSendAt: at });
  }
  for (let i = 0; i < enrolments.length; i += 1_000)
    await db.sequenceEnrolment.createMany({ data: enrolments.slice(i, i + 1_000) });
  // PostgreSQL's autovacuum would analyze a table this size within a minute; SQLite is left as the app leaves it.
  if (databaseProvider(db) === "postgresql") await db.$executeRawUnsafe("VACUUM ANALYZE");
  return start;
}

async function measure(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < B.warmUp; i++) await run();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < B.tickRuns && (times.length < B.minRuns || performance.now() - started < B.measureBudgetMs)) {
    const callStarted = performance.now();
    await run();
    times.push(performance.now() - callStarted);
  }
  return times;
}

/** The database's plan for the tick's query, written out as Prisma asks it. */
async function tickPlan(db: Db, at: Date): Promise<string> {
  const lead = new Date(at.getTime() + MERGE_PACE.leadMs).toISOString();
  const sql = `SELECT "id", "userId" FROM "SequenceEnrolment" WHERE "state" = 'ACTIVE' AND "nextSendAt" <= '${lead}' ORDER BY "nextSendAt" ASC LIMIT 100`;
  if (databaseProvider(db) === "postgresql") {
    const rows = await db.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(`EXPLAIN ${sql}`);
    return rows.map((row) => row["QUERY PLAN"].trim()).join("; ");
  }
  const rows = await db.$queryRawUnsafe<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`);
  return rows.map((row) => row.detail).join("; ");
}

/** The tick's query, a whole idle tick, and the baseline that reads every active enrolment. */
async function tickRows(database: Env["database"]["provider"], deps: AppDeps, start: number) {
  const rows: SequenceBenchRow[] = [];
  const goal = `p95 ≤ ${B.goalTickP95Ms} ms`;
  const timed = (measureName: string, result: string, times: number[], hasGoal = true): SequenceBenchRow => {
    const row = { database, measure: measureName, ...summary(times), result, goal: hasGoal ? goal : "baseline" };
    return hasGoal ? { ...row, met: row.p95Ms <= B.goalTickP95Ms } : row;
  };
  const due = await findDueEnrolments(deps.now(), deps);
  rows.push(
    timed(
      "tick query: findDueEnrolments",
      `${due.length} due of ${en(ENROLMENTS)} active`,
      await measure(() => findDueEnrolments(deps.now(), deps)),
    ),
  );
  const idle = { ...deps, now: () => new Date(start - IDLE_BEFORE_MS) };
  const outcome = await feedSequences(idle);
  if (Object.values(outcome).some((count) => count > 0))
    throw new Error(`the idle tick did something: ${JSON.stringify(outcome)}`);
  rows.push(timed("idle tick: feedSequences", "nothing due, nothing held", await measure(() => feedSequences(idle))));
  const naive = async () => {
    const limit = deps.now().getTime() + MERGE_PACE.leadMs;
    const all = await deps.db.sequenceEnrolment.findMany({
      where: { state: "ACTIVE" },
      select: { id: true, userId: true, nextSendAt: true },
    });
    return all
      .filter((row) => row.nextSendAt && row.nextSendAt.getTime() <= limit)
      .sort((a, b) => a.nextSendAt!.getTime() - b.nextSendAt!.getTime())
      .slice(0, 100);
  };
  const picked = await naive();
  rows.push(
    timed(
      "baseline: every active row, due picked in JS",
      `${picked.length} due, ${en(ENROLMENTS)} rows read`,
      await measure(naive),
      false,
    ),
  );
  return rows;
}

/** Messages of enrolments' first steps that Gmail took: each a thread the reply job reads. */
const SENT_FIRST = { sequenceStep: 0, status: "SENT" as const };

/** 1 s ticks of both clocks, each the feeder then one outbox pass, until `target` first emails are sent. */
async function drainSteps(
  deps: AppDeps,
  clocks: Clocks,
  target: number,
  totals: { sent: number; ticks: number; feederMs: number; outboxMs: number; tickMs: number[] },
  outcomes: Partial<Record<SendOutcome, number>>,
) {
  const limit = totals.ticks + target * 2 + 600;
  while ((await deps.db.message.count({ where: SENT_FIRST })) < target) {
    if (totals.ticks > limit)
      throw new Error(`steps stalled at ${totals.sent} sent of ${target}: ${JSON.stringify(outcomes)}`);
    await clocks.advance(B.tickMs);
    const started = performance.now();
    await feedSequences(deps);
    const fed = performance.now();
    const once = await runOutboxOnce(deps);
    const done = performance.now();
    for (const [outcome, count] of Object.entries(once) as Array<[SendOutcome, number]>)
      if (outcome !== "sent" && count > 0) outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
    totals.sent += once.sent;
    totals.ticks += 1;
    totals.feederMs += fed - started;
    totals.outboxMs += done - fed;
    totals.tickMs.push(done - started);
  }
}

async function sendSteps(
  database: Env["database"]["provider"],
  deps: AppDeps,
  clocks: Clocks,
): Promise<{ drain: StepDrain; row: SequenceBenchRow }> {
  const { db } = deps;
  const totals = { sent: 0, ticks: 0, feederMs: 0, outboxMs: 0, tickMs: [] as number[] };
  const outcomes: StepDrain["outcomes"] = {};
  await drainSteps(deps, clocks, B.dueNow, totals, outcomes);
  // Then the clock to when the next ones are due (hours on; none is late).
  const last = await db.sequenceEnrolment.findMany({
    where: { state: "ACTIVE", step: 0 },
    orderBy: { nextSendAt: "asc" },
    skip: B.sentSteps - B.dueNow - 1,
    take: 1,
    select: { nextSendAt: true },
  });
  await clocks.advance(Math.max(0, last[0]!.nextSendAt!.getTime() - clocks.now().getTime()));
  await drainSteps(deps, clocks, B.sentSteps, totals, outcomes);
  const seconds = (totals.feederMs + totals.outboxMs) / 1000;
  const drain: StepDrain = {
    database,
    sent: totals.sent,
    ticks: totals.ticks,
    outcomes,
    feederSeconds: round1(totals.feederMs / 1000),
    outboxSeconds: round1(totals.outboxMs / 1000),
    stepsPerSecond: round1(totals.sent / seconds),
    msPerStep: round1((seconds * 1000) / totals.sent),
  };
  const others = Object.entries(outcomes);
  return {
    drain,
    row: {
      database,
      measure: "steps: feeder + outbox pass per 1 s tick",
      ...summary(totals.tickMs),
      result:
        `${en(drain.sent)} first emails sent: ${drain.stepsPerSecond} steps/s, ${drain.msPerStep} ms a step ` +
        `(feeder ${round1(totals.feederMs / totals.sent)}, outbox ${round1(totals.outboxMs / totals.sent)})` +
        (others.length ? `; ${others.map(([outcome, count]) => `${count} ${outcome}`).join(", ")}` : ""),
      goal: "",
    },
  };
}

/** The reply job once a minute of both clocks through three check intervals, each threads.get counted. */
async function checkReplies(
  database: Env["database"]["provider"],
  deps: AppDeps,
  clocks: Clocks,
  control: EmulatorControl,
): Promise<{ checks: ReplyChecks; row: SequenceBenchRow }> {
  const { db } = deps;
  // Active threads: enrolments whose first email is at Gmail (one more may still be in the outbox).
  const threads = await db.message.findMany({
    where: SENT_FIRST,
    select: { gmailThreadId: true, to: true },
  });
  if (threads.length !== B.sentSteps) throw new Error(`${B.sentSteps} sent threads expected, ${threads.length} found`);
  for (const thread of threads.slice(0, B.replies))
    await control.addReply(thread.gmailThreadId!, { from: (thread.to as string[])[0]!, text: "Thanks, let's talk" });

  const reads: Array<{ threadId: string; at: number }> = [];
  const counted: AppDeps = {
    ...deps,
    google: {
      ...deps.google,
      threadMetadata: (token, threadId) => {
        reads.push({ threadId, at: deps.now().getTime() });
        return deps.google.threadMetadata(token, threadId);
      },
    },
  };
  const atGoogleBefore = (await control.calls())["gmail.threads.get"] ?? 0;
  const started = clocks.now().getTime();
  const activeAt: number[] = [];
  const perCheck: number[] = [];
  const idle: number[] = [];
  let checks = 0;
  const runs = (B.replyIntervals * REPLY_CHECK_INTERVAL_MS) / B.replyJobEveryMs;
  for (let run = 0; run < runs; run++) {
    if ((run * B.replyJobEveryMs) % REPLY_CHECK_INTERVAL_MS === 0)
      activeAt.push(await db.message.count({ where: { ...SENT_FIRST, sequenceEnrolment: { state: "ACTIVE" } } }));
    const runStarted = performance.now();
    const outcome = await checkRepliesDue(counted, REPLY_CHECKS_PER_RUN);
    const ms = performance.now() - runStarted;
    const done = Object.values(outcome).reduce((sum, count) => sum + count, 0);
    if (done > 0) perCheck.push(ms / done);
    else idle.push(ms);
    checks += done;
    await clocks.advance(B.replyJobEveryMs);
  }
  const readsAtGoogle = ((await control.calls())["gmail.threads.get"] ?? 0) - atGoogleBefore;

  const byThread = new Map<string, number[]>();
  for (const read of reads) byThread.set(read.threadId, [...(byThread.get(read.threadId) ?? []), read.at]);
  let maxReadsInAnyInterval = 0;
  for (const times of byThread.values())
    for (let from = 0, to = 0; from < times.length; from++) {
      while (to < times.length && times[to]! < times[from]! + REPLY_CHECK_INTERVAL_MS) to++;
      maxReadsInAnyInterval = Math.max(maxReadsInAnyInterval, to - from);
    }
  const replied = await db.sequenceEnrolment.count({ where: { state: "REPLIED" } });
  const intervals = activeAt.map((active, k) => {
    const from = started + k * REPLY_CHECK_INTERVAL_MS;
    const inside = reads.filter((read) => read.at >= from && read.at < from + REPLY_CHECK_INTERVAL_MS);
    const counts = new Map<string, number>();
    for (const read of inside) counts.set(read.threadId, (counts.get(read.threadId) ?? 0) + 1);
    // Threads active at the interval's start that were never read in it count as 0.
    const min = counts.size < active ? 0 : Math.min(...counts.values());
    return { active, reads: inside.length, min, max: Math.max(0, ...counts.values()) };
  });
  const checksReport: ReplyChecks = {
    database,
    threads: threads.length,
    replied,
    reads: reads.length,
    readsAtGoogle,
    checks,
    intervals,
    maxReadsInAnyInterval,
    msPerCheck: round1(perCheck.reduce((sum, ms) => sum + ms, 0) / Math.max(1, perCheck.length)),
    idleRunP95Ms: summary(idle).p95Ms,
  };
  const mean = intervals.map((interval) => (interval.reads / interval.active).toFixed(2)).join(", ");
  const met =
    maxReadsInAnyInterval <= B.goalReadsPerInterval &&
    readsAtGoogle === reads.length &&
    intervals.every((interval) => interval.max <= B.goalReadsPerInterval);
  return {
    checks: checksReport,
    row: {
      database,
      measure: "reply checks: checkRepliesDue, ms a check",
      ...summary(perCheck),
      result:
        `${en(threads.length)} threads, ${replied} replied; ${en(reads.length)} threads.get (Google: ${en(readsAtGoogle)}); ` +
        `a thread an interval: mean ${mean}, max ${maxReadsInAnyInterval}, min ${Math.min(...intervals.map((interval) => interval.min))}; ` +
        `idle run p95 ${checksReport.idleRunP95Ms} ms`,
      goal: `≤ ${B.goalReadsPerInterval} threads.get/thread/interval`,
      met,
    },
  };
}

export async function benchSequences(
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<SequenceBenchReport> {
  const report: SequenceBenchReport = {
    ranAt: new Date().toISOString(),
    node: process.version,
    settings: SEQUENCE_BENCH,
    seedSeconds: {},
    plans: {},
    rows: [],
    steps: [],
    replies: [],
    skipped: [],
  };
  const databases = await benchDatabases("sequences", report, onCleanup);

  for (const database of databases) {
    const provider = database.provider;
    await migrateDatabase(database);
    const db = createDb(database);
    onCleanup(() => db.$disconnect());
    const emulator = await startGoogleEmulator({ port: 0 });
    onCleanup(() => emulator.close());
    const control = new EmulatorControl(emulator.url);
    const clocks = new Clocks(control);
    const keys = [{ id: "bench", key: randomBytes(32) }];
    const deps: AppDeps = {
      db,
      keys,
      vault: createTokenVault(keys),
      google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: emulator.url }),
      now: clocks.now,
      publishingStatus: "production",
      dailySendLimit: 2_000,
      replyDetection: "metadata",
    };
    const seeded = performance.now();
    const userIds = await Promise.all(
      Array.from({ length: B.users }, (_, n) => connectedUser(control, emulator.url, deps, n + 1)),
    );
    const start = await seed(db, deps, userIds);
    report.seedSeconds[provider] = round1((performance.now() - seeded) / 1000);
    report.plans[provider] = await tickPlan(db, deps.now());
    log(`  ${provider}: ${B.users} users connected and 10,000 enrolments seeded in ${report.seedSeconds[provider]} s`);

    const ticks = await tickRows(provider, deps, start);
    report.rows.push(...ticks);
    log(`  ${provider}: tick query p95 ${ticks[0]!.p95Ms} ms, idle tick p95 ${ticks[1]!.p95Ms} ms`);
    const steps = await sendSteps(provider, deps, clocks);
    report.rows.push(steps.row);
    report.steps.push(steps.drain);
    log(
      `  ${provider}: ${steps.drain.sent} steps sent in ${steps.drain.ticks} ticks, ${steps.drain.msPerStep} ms a step (feeder ${steps.drain.feederSeconds} s, outbox ${steps.drain.outboxSeconds} s)`,
    );
    const replies = await checkReplies(provider, deps, clocks, control);
    report.rows.push(replies.row);
    report.replies.push(replies.checks);
    log(`  ${provider}: ${replies.checks.reads} threads.get over ${B.replyIntervals} intervals`);
  }
  return report;
}

export function formatSequenceTable(report: SequenceBenchReport): string {
  const pad = (value: string | number, width: number) => String(value).padStart(width);
  const width = Math.max(...report.rows.map((row) => row.measure.length), 7);
  const resultWidth = Math.max(...report.rows.map((row) => row.result.length), 6);
  const verdict = (row: SequenceBenchRow) =>
    row.met === undefined ? row.goal : `${row.goal}: ${row.met ? "met" : "FAIL"}`;
  return [
    `database    ${"measure".padEnd(width)}   runs  p50 ms  p95 ms  max ms  ${"result".padEnd(resultWidth)}  goal`,
    ...report.rows.map(
      (row) =>
        `${row.database.padEnd(10)}  ${row.measure.padEnd(width)}  ${pad(row.runs, 5)}  ${pad(row.p50Ms.toFixed(1), 6)}  ${pad(row.p95Ms.toFixed(1), 6)}  ${pad(row.maxMs.toFixed(1), 6)}  ${row.result.padEnd(resultWidth)}  ${verdict(row)}`,
    ),
  ].join("\n");
}

/** Goals missed, one line each; empty when every goal was met. */
export function sequenceFailures(report: SequenceBenchReport): string[] {
  return report.rows
    .filter((row) => row.met === false)
    .map((row) => `${row.database}: ${row.measure}: ${row.goal} not met`);
}
