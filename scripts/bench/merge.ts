import { randomBytes } from "node:crypto";
import { benchDatabases } from "./databases";
import { EmulatorControl } from "@/google-emulator/control/client";
import { startGoogleEmulator } from "@/google-emulator/index";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { linkGoogleAccount } from "@/lib/connection/sign-in";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { contactFilterWhere, searchTextOf } from "@/lib/crm/contacts";
import { googleGateway } from "@/lib/google/gateway";
import { composeSchema } from "@/lib/mail/compose";
import { enqueueMessage } from "@/lib/mail/messages";
import { noOutcomes, runOutboxOnce, type SendOutcome } from "@/lib/mail/outbox";
import { seededRandom } from "@/test-support/seeded-random";
import { PACING } from "@/lib/mail/pacing";
import { feedMerges } from "@/lib/outreach/merge-feeder";
import { mergeReport } from "@/lib/outreach/merge-report";
import { MERGE_PACE } from "@/lib/outreach/merge-schedule";
import { prepareMerge, saveMergeMessage, setFallback, startMerge } from "@/lib/outreach/merges";
import { createDb, type Db } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { AppDeps } from "@/lib/platform/deps";
import type { Env } from "@/lib/platform/env";

/**
 * Mail merge at its limits (issue #19), on a SQLite file and on PostgreSQL, against the local Google:
 * - prepare: one user with 2,000 contacts; prepareMerge (the ledger) + saveMergeMessage + mergeReport,
 *   beside the same ledger written one `create` per row;
 * - drain: a merge sent through the feeder and the outbox in 1 s ticks of a moved app clock, the local
 *   Google's clock set to it before every call, so Gmail's sliding-minute quota (150 sends) counts
 *   simulated time; beside the same recipients enqueued at once as one-to-one email;
 * - one-to-one mid-merge: email the user sends during each of those drains, and how long after its
 *   undo window it leaves.
 */

export const MERGE_BENCH = {
  contacts: 2_000,
  /** Contacts (of the 2,000) that unsubscribed: the report counts them, nothing is sent to them. */
  unsubscribed: 10,
  prepareRuns: 10,
  naivePrepareRuns: 5,
  /** Recipients of each drain: 5 minutes at the merge's pace. */
  drainRecipients: 600,
  probes: 20,
  /** The background jobs' interval (lib/platform/background-jobs.ts), in simulated time. */
  tickMs: 1_000,
  goalPrepareP95Ms: 2_000,
  goalPacePercent: 95,
  goalProbeMaxMs: 1_000,
} as const;

const ALL_TAG = "Spring webinar";
const DRAIN_TAG = "Drain";
const SUBJECT = "Hi {{first_name}}";
const BODY =
  "Hello {{first_name}},\n\nwe are running a short webinar for teams at {{company | your company}} next week." +
  "\nWould you like a seat?\n\nBest,\n{{my_first_name}}";
/** A drain that has not finished after this many times its expected ticks has stalled. */
const STALL_FACTOR = 4;

export type PrepareRow = {
  database: Env["database"]["provider"];
  way: string;
  result: string;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
};

export type DrainRow = {
  database: Env["database"]["provider"];
  way: string;
  recipients: number;
  sent: number;
  /** From the start (Start pressed, or the messages stored) to the last send, in simulated minutes. */
  simulatedMinutes: number;
  sendsPerSimulatedMinute: number;
  percentOfMergePace: number;
  /** Most sends the local Google saw in any 60 s of its clock (its quota: 150). */
  peakPerMinute: number;
  /** Sends the local Google refused for quota (its gmail.send calls less the messages it kept). */
  rateLimitAnswers: number;
  /** Outbox claims put back by its own pacing hold (lib/mail/pacing.ts), and retries of any cause. */
  outboxHolds: number;
  retries: number;
  duplicates: number;
  missing: number;
  wallSeconds: number;
};

export type ProbeRow = {
  database: Env["database"]["provider"];
  during: string;
  probes: number;
  sent: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Probes sent in the first tick that began once their undo window was over (or in the tick running then). */
  atFirstTick: number;
  /** The longest a probe's tick worked before its send left (the feeder, the messages ahead of it in the batch). */
  maxInTickMs: number;
};

export type MergeBenchReport = {
  ranAt: string;
  node: string;
  postgres?: string;
  settings: typeof MERGE_BENCH;
  mergePacePerMinute: number;
  gmailSendsPerMinute: number;
  prepare: PrepareRow[];
  drain: DrainRow[];
  oneToOne: ProbeRow[];
  clock: string;
  skipped: string[];
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round1 = (value: number) => Math.round(value * 10) / 10;

const FIRST = ["Maria", "James", "Aiko", "Priya", "Omar", "Lena", "Noah", "Sofia", "Arjun", "Chloe"] as const;
const LAST = ["Smith", "Garcia", "Tanaka", "Patel", "Nowak", "Rossi", "Dubois", "Evans", "Khan", "Berg"] as const;
const COMPANIES = ["Acme Labs", "Globex", "Initech", "Hooli", "Vandelay Industries", "Stark Energy", ""] as const;

/**
 * The app's clock, set by the bench (ticks, probes) and running on with real time from there, as work
 * takes time, but never past `until` (the next tick); and the local Google's clock set to it on demand.
 * A frozen clock would stamp a tick's ten sends with one instant, all leaving Gmail's sliding minute at
 * the same millisecond: a pile-up at the window's edge that a real clock never makes.
 */
class Clocks {
  private setMs = Date.now();
  private setAt = performance.now();
  private untilMs = Number.POSITIVE_INFINITY;
  private emulatorOffsetMs = 0;
  constructor(private readonly control: EmulatorControl) {}

  now(): number {
    return Math.min(this.setMs + (performance.now() - this.setAt), this.untilMs);
  }

  set(ms: number, until = Number.POSITIVE_INFINITY): void {
    this.setMs = ms;
    this.setAt = performance.now();
    this.untilMs = until;
  }

  /** The emulator reads real time plus an offset: set the offset so its now is the app's now. */
  async sync(): Promise<void> {
    const deltaMs = this.now() - (Date.now() + this.emulatorOffsetMs);
    const { offsetSeconds } = await this.control.advanceClock(deltaMs / 1000);
    this.emulatorOffsetMs = offsetSeconds * 1000;
  }
}

/**
 * The app's dependencies on a moved clock. Every call to the local Google first sets its clock to the
 * app's, so a send is stamped at the same instant on both sides, as with a real clock on each.
 */
function benchDeps(db: Db, keys: AppDeps["keys"], emulatorUrl: string, clocks: Clocks): AppDeps {
  const google = googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: emulatorUrl });
  return {
    db,
    keys,
    vault: createTokenVault(keys),
    google: {
      send: async (token, message) => {
        await clocks.sync();
        return google.send(token, message);
      },
      refresh: async (token) => {
        await clocks.sync();
        return google.refresh(token);
      },
      revoke: async (token) => {
        await clocks.sync();
        return google.revoke(token);
      },
      threadMetadata: async (token, threadId) => {
        await clocks.sync();
        return google.threadMetadata(token, threadId);
      },
    },
    now: () => new Date(clocks.now()),
    publishingStatus: "production",
    // High enough that only the minute's quota shows (the local Google's daily cap is raised alike).
    dailySendLimit: 1_000_000,
  };
}

async function connectedUser(db: Db, deps: AppDeps, emulatorUrl: string): Promise<string> {
  const user = await db.user.create({
    data: { email: `merge-bench-${randomBytes(4).toString("hex")}@evergreen.test`, name: "Ada Lovelace" },
  });
  const { tokens } = await connect(emulatorUrl, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `merge-bench-${user.id}`,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId: user.id,
      type: "oidc",
      provider: "google",
    },
    deps,
  );
  return user.id;
}

/** 2,000 contacts in one createMany: every 7th without a name, every 7th without a company; all tagged. */
async function seedContacts(db: Db, userId: string): Promise<string[]> {
  // Seeded: every run benchmarks the same contacts and the same probe moments.
  const next = seededRandom(19).next;
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const contacts = Array.from({ length: MERGE_BENCH.contacts }, (_, i) => {
    const named = i % 7 !== 3;
    const first = pick(FIRST);
    const last = pick(LAST);
    const values = {
      name: named ? `${first} ${last}` : "",
      email: `${first}.${last}.${i}@example${i % 13}.test`.toLowerCase(),
      company: pick(COMPANIES),
    };
    return {
      id: `bm${String(i).padStart(5, "0")}${randomBytes(6).toString("hex")}`,
      userId,
      ...values,
      searchText: searchTextOf(values),
    };
  });
  await db.contact.createMany({ data: contacts });
  await db.contactTag.createMany({
    data: contacts.map((contact) => ({ contactId: contact.id, userId, key: ALL_TAG.toLowerCase(), label: ALL_TAG })),
  });
  // The drain's recipients: the first 600, none of them unsubscribed.
  await db.contactTag.createMany({
    data: contacts
      .slice(0, MERGE_BENCH.drainRecipients)
      .map((contact) => ({ contactId: contact.id, userId, key: DRAIN_TAG.toLowerCase(), label: DRAIN_TAG })),
  });
  await db.suppression.createMany({
    data: contacts
      .slice(-MERGE_BENCH.unsubscribed)
      .map((contact) => ({ userId, email: contact.email, unsubscribedAt: new Date() })),
  });
  return contacts.slice(0, MERGE_BENCH.drainRecipients).map((contact) => contact.email);
}

const NAIVE_CHUNK = 500;

/**
 * The baseline: prepareMerge as lib/outreach/merges.ts does it for a tag (the same reads, the same
 * transaction), but the ledger written one `create` per row instead of `createMany` in chunks of 500.
 */
async function prepareOneCreatePerRow(db: Db, userId: string, tag: string): Promise<{ id: string }> {
  const contacts = await db.contact.findMany({
    where: contactFilterWhere(userId, { tag }),
    orderBy: [{ searchText: "asc" }, { id: "asc" }],
    take: MERGE_BENCH.contacts + 1,
    select: { id: true, email: true },
  });
  const suppressed = new Map<string, Date>();
  for (let i = 0; i < contacts.length; i += NAIVE_CHUNK) {
    const rows = await db.suppression.findMany({
      where: { userId, email: { in: contacts.slice(i, i + NAIVE_CHUNK).map((contact) => contact.email) } },
      select: { email: true, unsubscribedAt: true },
    });
    for (const row of rows) suppressed.set(row.email, row.unsubscribedAt);
  }
  return db.$transaction(
    async (tx) => {
      const merge = await tx.merge.create({
        data: { userId, name: `Merge to tag ${tag}`, subject: "", body: "", audience: `tag ${tag}`, fallbacks: {} },
        select: { id: true },
      });
      for (const [position, contact] of contacts.entries()) {
        const unsubscribedAt = suppressed.get(contact.email);
        await tx.mergeRecipient.create({
          data: {
            mergeId: merge.id,
            userId,
            position,
            email: contact.email,
            contactId: contact.id,
            state: unsubscribedAt ? "SKIPPED" : "PENDING",
            skipReason: unsubscribedAt ? `Unsubscribed on ${unsubscribedAt.toISOString().slice(0, 10)}` : null,
          },
        });
      }
      return merge;
    },
    // Prisma's default of 5 s would end this transaction on a slow disk: the baseline is timed, not refused.
    { timeout: 120_000, maxWait: 10_000 },
  );
}

async function measurePrepare(
  runs: number,
  prepare: () => Promise<{ id: string }>,
  userId: string,
  deps: AppDeps,
): Promise<Omit<PrepareRow, "database" | "way">> {
  const times: number[] = [];
  let result = "";
  const made: string[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const { id } = await prepare();
    await saveMergeMessage(userId, id, { name: `Spring webinar ${run}`, subject: SUBJECT, body: BODY }, deps);
    const report = await mergeReport(userId, id, deps);
    times.push(performance.now() - started);
    made.push(id);
    if (!report) throw new Error("the prepared merge has no report");
    const noFirstName = report.fields.find((field) => field.field === "first_name")?.missing.length ?? 0;
    result = `${report.total.toLocaleString("en")} rows: ${report.included.toLocaleString("en")} included, ${report.excluded.unsubscribed} unsubscribed, ${noFirstName} without a first name`;
  }
  // The drafts' ledgers would only weigh on the drains' queries.
  await deps.db.merge.deleteMany({ where: { id: { in: made } } });
  times.sort((a, b) => a - b);
  return {
    result,
    runs: times.length,
    p50Ms: round1(percentile(times, 50)),
    p95Ms: round1(percentile(times, 95)),
    maxMs: round1(times[times.length - 1]!),
  };
}

type DrainContext = {
  database: Env["database"]["provider"];
  db: Db;
  deps: AppDeps;
  clocks: Clocks;
  control: EmulatorControl;
  userId: string;
  recipients: string[];
};

type DrainResult = { row: DrainRow; probes: ProbeRow };

const sendCalls = (calls: Record<string, number>) => calls["gmail.send"] ?? 0;

/**
 * One drain: the recipients as a merge (Start pressed) or as one-to-one messages stored at once, then
 * 1 s ticks of the app's clock, each running the feeder and the outbox once, as the background jobs
 * do, until nothing is left. Meanwhile 20 one-to-one emails (the probes) are stored at seeded moments
 * between ticks, spread over the drain: the same drain measures both.
 */
async function drain(context: DrainContext, way: "merge" | "naive"): Promise<DrainResult> {
  const { db, deps, clocks, control, userId, recipients } = context;
  // Two minutes apart: the previous drain's sends have left every sliding minute, the app's and Google's.
  const startedAt = Math.ceil((Math.max(clocks.now(), Date.now()) + 120_000) / 1_000) * 1_000;
  clocks.set(startedAt, startedAt + MERGE_BENCH.tickMs - 1);
  await clocks.sync();
  const deliveredBefore = (await control.messages()).length;
  const callsBefore = sendCalls(await control.calls());
  const wallStarted = performance.now();
  const runId = randomBytes(3).toString("hex");

  let mergeId: string | undefined;
  const mainIds: string[] = [];
  if (way === "merge") {
    ({ id: mergeId } = await prepareMerge(userId, { kind: "matching", tag: DRAIN_TAG }, deps));
    await saveMergeMessage(userId, mergeId, { name: `Drain ${runId}`, subject: SUBJECT, body: BODY }, deps);
    await setFallback(userId, mergeId, "first_name", "there", deps);
    if ((await startMerge(userId, mergeId, deps)) !== "started") throw new Error("the merge did not start");
  } else {
    for (const [i, email] of recipients.entries()) {
      const { id } = await enqueueMessage(
        userId,
        composeSchema.parse({
          to: [email],
          subject: `Spring webinar ${i}`,
          body: "Hello,\n\nwe are running a short webinar next week. Would you like a seat?\n\nBest,\nAda",
          idempotencyKey: `naive-${runId}-${String(i).padStart(8, "0")}`,
        }),
        deps,
      );
      mainIds.push(id);
    }
  }

  // Probes between ticks, spread over the drain's expected length (at Gmail's 143/min for one-to-one).
  const perMinute = way === "merge" ? MERGE_PACE.sendsPerMinute : Math.ceil(PACING.sendsPerMinute * PACING.holdAt);
  const expectedMs = (recipients.length / perMinute) * 60_000;
  const jitter = seededRandom(way === "merge" ? 7 : 8).next;
  const probeTimes = Array.from(
    { length: MERGE_BENCH.probes },
    (_, k) =>
      startedAt + 5_000 + Math.floor((k * (expectedMs - 20_000)) / MERGE_BENCH.probes) + Math.floor(jitter() * 1_000),
  );
  const probes: Array<{ id: string; dueAt: number }> = [];

  const outcomes = noOutcomes();
  const maxTicks = Math.ceil((STALL_FACTOR * expectedMs) / MERGE_BENCH.tickMs) + 120;
  for (let ticks = 1; ; ticks++) {
    const tick = startedAt + ticks * MERGE_BENCH.tickMs;
    while (probes.length < probeTimes.length && probeTimes[probes.length]! < tick) {
      clocks.set(probeTimes[probes.length]!, tick - 1);
      const { id, sendAt } = await enqueueMessage(
        userId,
        composeSchema.parse({
          to: [`probe-${probes.length}-${runId}@elsewhere.test`],
          subject: `Quick question ${probes.length}`,
          body: "Are we still on for Thursday?\n\nAda",
          idempotencyKey: `probe-${runId}-${String(probes.length).padStart(8, "0")}`,
        }),
        deps,
      );
      probes.push({ id, dueAt: sendAt.getTime() });
    }
    clocks.set(tick, tick + MERGE_BENCH.tickMs - 1);
    await feedMerges(deps);
    const once = await runOutboxOnce(deps);
    for (const [outcome, count] of Object.entries(once)) outcomes[outcome as SendOutcome] += count;
    if (probes.length === probeTimes.length) {
      const waiting = await db.message.count({
        where: { userId, status: { in: ["QUEUED", "SCHEDULED", "SENDING"] } },
      });
      const running = mergeId ? await db.merge.count({ where: { id: mergeId, status: "RUNNING" } }) : 0;
      if (waiting === 0 && running === 0) break;
    }
    if (ticks > maxTicks) throw new Error(`${way} drain stalled after ${ticks} ticks: ${JSON.stringify(outcomes)}`);
  }
  const wallSeconds = (performance.now() - wallStarted) / 1000;

  const main = await db.message.findMany({
    where: mergeId ? { mergeId } : { id: { in: mainIds } },
    select: { status: true, sendStartedAt: true },
  });
  const sentTimes = main
    .filter((message) => message.status === "SENT")
    .map((message) => message.sendStartedAt!.getTime())
    .sort((a, b) => a - b);
  const sent = sentTimes.length;
  const simulatedMinutes = ((sentTimes.at(-1) ?? startedAt) - startedAt) / 60_000;

  const delivered = (await control.messages()).slice(deliveredBefore);
  const rateLimitAnswers = sendCalls(await control.calls()) - callsBefore - delivered.length;
  const probeAddress = /^probe-/;
  const addresses = delivered
    .map((message) => message.envelope.to[0] ?? "")
    .filter((address) => !probeAddress.test(address));
  const unique = new Set(addresses);
  const missing = recipients.filter((email) => !unique.has(email)).length;
  const atGoogle = delivered.map((message) => Date.parse(String(message.sentAt))).sort((a, b) => a - b);
  let peakPerMinute = 0;
  for (let from = 0, to = 0; from < atGoogle.length; from++) {
    while (to < atGoogle.length && atGoogle[to]! < atGoogle[from]! + 60_000) to++;
    peakPerMinute = Math.max(peakPerMinute, to - from);
  }
  const perSimulatedMinute = simulatedMinutes > 0 ? sent / simulatedMinutes : 0;

  const probeRows = await db.message.findMany({
    where: { id: { in: probes.map((probe) => probe.id) } },
    select: { id: true, sendStartedAt: true, status: true },
  });
  const sentProbes = probes.flatMap((probe) => {
    const row = probeRows.find((candidate) => candidate.id === probe.id);
    if (row?.status !== "SENT" || !row.sendStartedAt) return [];
    const sentAt = row.sendStartedAt.getTime();
    const sentTick = Math.floor((sentAt - startedAt) / MERGE_BENCH.tickMs);
    return [
      {
        latency: sentAt - probe.dueAt,
        ticksLate: sentTick - Math.ceil((probe.dueAt - startedAt) / MERGE_BENCH.tickMs),
        inTick: sentAt - (startedAt + sentTick * MERGE_BENCH.tickMs),
      },
    ];
  });
  const latencies = sentProbes.map((probe) => probe.latency).sort((a, b) => a - b);

  const label = way === "merge" ? "merge (feeder + outbox)" : `${recipients.length} one-to-one stored at once`;
  return {
    row: {
      database: context.database,
      way: label,
      recipients: recipients.length,
      sent,
      simulatedMinutes: Math.round(simulatedMinutes * 100) / 100,
      sendsPerSimulatedMinute: round1(perSimulatedMinute),
      percentOfMergePace: round1((perSimulatedMinute / MERGE_PACE.sendsPerMinute) * 100),
      peakPerMinute,
      rateLimitAnswers,
      outboxHolds: outcomes.paced,
      retries: outcomes.retry,
      duplicates: addresses.length - unique.size,
      missing,
      wallSeconds: round1(wallSeconds),
    },
    probes: {
      database: context.database,
      during: label,
      probes: probes.length,
      sent: latencies.length,
      p50Ms: latencies.length ? percentile(latencies, 50) : NaN,
      p95Ms: latencies.length ? percentile(latencies, 95) : NaN,
      maxMs: latencies.length ? latencies[latencies.length - 1]! : NaN,
      atFirstTick: sentProbes.filter((probe) => probe.ticksLate <= 0).length,
      maxInTickMs: Math.round(Math.max(0, ...sentProbes.map((probe) => probe.inTick))),
    },
  };
}

export async function benchMerge(
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<MergeBenchReport> {
  const report: MergeBenchReport = {
    ranAt: new Date().toISOString(),
    node: process.version,
    settings: MERGE_BENCH,
    mergePacePerMinute: MERGE_PACE.sendsPerMinute,
    gmailSendsPerMinute: PACING.sendsPerMinute,
    prepare: [],
    drain: [],
    oneToOne: [],
    clock:
      "the app's clock is set to each 1 s tick (simulated time) and runs on with real time while the tick's work " +
      "takes it, never past the next tick; before every call to the local Google, its clock is set to the app's " +
      "through its control API (POST /__emulator/clock), so its sliding-minute quota counts the time the app " +
      "stamps sends with. Daily caps are raised on both sides so only the minute's quota shows.",
    skipped: [],
  };
  const databases = await benchDatabases("merge", report, onCleanup);

  for (const database of databases) {
    await migrateDatabase(database);
    const db = createDb(database);
    onCleanup(() => db.$disconnect());
    const emulator = await startGoogleEmulator({ port: 0 });
    onCleanup(() => emulator.close());
    const control = new EmulatorControl(emulator.url);
    await control.configure({ dailySendLimit: 1_000_000 });
    const clocks = new Clocks(control);
    const keys = [{ id: "bench", key: randomBytes(32) }];
    const deps = benchDeps(db, keys, emulator.url, clocks);
    clocks.set(Date.now());
    await clocks.sync();
    const userId = await connectedUser(db, deps, emulator.url);
    const recipients = await seedContacts(db, userId);
    const provider = database.provider;

    // One untimed round first: connections, Prisma's query plans.
    await measurePrepare(1, () => prepareMerge(userId, { kind: "matching", tag: ALL_TAG }, deps), userId, deps);
    const lib = await measurePrepare(
      MERGE_BENCH.prepareRuns,
      () => prepareMerge(userId, { kind: "matching", tag: ALL_TAG }, deps),
      userId,
      deps,
    );
    report.prepare.push({ database: provider, way: "prepareMerge (createMany, 500 a chunk)", ...lib });
    log(`  ${provider}: prepare 2,000 measured, p95 ${lib.p95Ms.toFixed(0)} ms`);
    const naive = await measurePrepare(
      MERGE_BENCH.naivePrepareRuns,
      () => prepareOneCreatePerRow(db, userId, ALL_TAG),
      userId,
      deps,
    );
    report.prepare.push({ database: provider, way: "baseline: one create per ledger row", ...naive });
    log(`  ${provider}: prepare 2,000 one create per row measured, p95 ${naive.p95Ms.toFixed(0)} ms`);

    const context: DrainContext = { database: provider, db, deps, clocks, control, userId, recipients };
    for (const way of ["merge", "naive"] as const) {
      const { row, probes } = await drain(context, way);
      report.drain.push(row);
      report.oneToOne.push(probes);
      log(
        `  ${provider}: ${row.way}: ${row.sent} sent in ${row.wallSeconds} s; one-to-one at most ${probes.maxMs} ms after its undo window`,
      );
    }
  }
  return report;
}

export function formatMergeTables(report: MergeBenchReport): string {
  const pad = (value: string | number, width: number) => String(value).padStart(width);
  const ms = (value: number) => (Number.isNaN(value) ? "–" : (value / 1000).toFixed(2));
  const prepareWidth = Math.max(...report.prepare.map((row) => row.way.length), 3);
  const resultWidth = Math.max(...report.prepare.map((row) => row.result.length), 6);
  const drainWidth = Math.max(...report.drain.map((row) => row.way.length), 3);
  const probeWidth = Math.max(...report.oneToOne.map((row) => row.during.length), 6);
  const goal = report.settings;
  return [
    `1. prepare ${goal.contacts.toLocaleString("en")}: prepareMerge + saveMergeMessage + mergeReport, per run (goal: p95 ≤ ${goal.goalPrepareP95Ms / 1000} s)`,
    `database    ${"way".padEnd(prepareWidth)}  ${"result".padEnd(resultWidth)}  runs  p50 ms  p95 ms  max ms`,
    ...report.prepare.map(
      (row) =>
        `${row.database.padEnd(10)}  ${row.way.padEnd(prepareWidth)}  ${row.result.padEnd(resultWidth)}  ${pad(row.runs, 4)}  ${pad(row.p50Ms.toFixed(0), 6)}  ${pad(row.p95Ms.toFixed(0), 6)}  ${pad(row.maxMs.toFixed(0), 6)}`,
    ),
    "",
    `2. drain ${goal.drainRecipients}: simulated time, 1 s ticks (goal: ≥ ${goal.goalPacePercent}% of the merge pace of ${report.mergePacePerMinute}/min, no rate-limit answer, each recipient once)`,
    `database    ${"way".padEnd(drainWidth)}  sent  sim min  sends/min  % of ${report.mergePacePerMinute}  peak/min  rate-limit  holds  retries  dupl.  missing  wall s`,
    ...report.drain.map(
      (row) =>
        `${row.database.padEnd(10)}  ${row.way.padEnd(drainWidth)}  ${pad(row.sent, 4)}  ${pad(row.simulatedMinutes.toFixed(2), 7)}  ${pad(row.sendsPerSimulatedMinute.toFixed(1), 9)}  ${pad(`${row.percentOfMergePace.toFixed(1)}%`, 8)}  ${pad(row.peakPerMinute, 8)}  ${pad(row.rateLimitAnswers, 10)}  ${pad(row.outboxHolds, 5)}  ${pad(row.retries, 7)}  ${pad(row.duplicates, 5)}  ${pad(row.missing, 7)}  ${pad(row.wallSeconds.toFixed(1), 6)}`,
    ),
    "",
    `3. one-to-one email stored during a drain: sent this long after its undo window, simulated (goal: ≤ ${goal.goalProbeMaxMs / 1000} s, every probe)`,
    `database    ${"during".padEnd(probeWidth)}  probes  sent  p50 s  p95 s  max s  at first tick  in-tick work ms`,
    ...report.oneToOne.map(
      (row) =>
        `${row.database.padEnd(10)}  ${row.during.padEnd(probeWidth)}  ${pad(row.probes, 6)}  ${pad(row.sent, 4)}  ${pad(ms(row.p50Ms), 5)}  ${pad(ms(row.p95Ms), 5)}  ${pad(ms(row.maxMs), 5)}  ${pad(`${row.atFirstTick}/${row.sent}`, 13)}  ${pad(row.maxInTickMs, 15)}`,
    ),
  ].join("\n");
}

/** One line per goal and database: "met" or "not met", with the number that decides it. */
export function mergeGoalLines(report: MergeBenchReport): string[] {
  const goal = report.settings;
  const verdict = (ok: boolean) => (ok ? "met" : "not met");
  const lines: string[] = [];
  for (const database of [...new Set(report.prepare.map((row) => row.database))]) {
    const prepare = report.prepare.find((row) => row.database === database && row.way.startsWith("prepareMerge"));
    const merge = report.drain.find((row) => row.database === database && row.way === "merge (feeder + outbox)");
    const merges = report.drain.filter((row) => row.database === database && row.way.startsWith("merge"));
    const probe = report.oneToOne.find((row) => row.database === database && row.during.startsWith("merge"));
    if (prepare)
      lines.push(
        `${database}: prepare 2,000 p95 ≤ ${goal.goalPrepareP95Ms / 1000} s: ${verdict(prepare.p95Ms <= goal.goalPrepareP95Ms)} (${(prepare.p95Ms / 1000).toFixed(2)} s)`,
      );
    if (merge)
      lines.push(
        `${database}: merge pace ≥ ${goal.goalPacePercent}% of ${report.mergePacePerMinute}/min: ${verdict(merge.percentOfMergePace >= goal.goalPacePercent)} (${merge.percentOfMergePace.toFixed(1)}%)`,
      );
    if (merges.length > 0) {
      const refused = merges.reduce((sum, row) => sum + row.rateLimitAnswers, 0);
      const twice = merges.reduce((sum, row) => sum + row.duplicates + row.missing, 0);
      lines.push(
        `${database}: no rate-limit answer from Google during a merge: ${verdict(refused === 0)} (${refused})`,
      );
      lines.push(
        `${database}: each merge recipient exactly once: ${verdict(twice === 0)} (${merges.reduce((sum, row) => sum + row.duplicates, 0)} duplicates, ${merges.reduce((sum, row) => sum + row.missing, 0)} missing)`,
      );
    }
    if (probe)
      lines.push(
        `${database}: one-to-one mid-merge sent ≤ ${goal.goalProbeMaxMs / 1000} s after its undo window: ${verdict(probe.sent === probe.probes && probe.maxMs <= goal.goalProbeMaxMs)} (max ${(probe.maxMs / 1000).toFixed(2)} s of ${probe.sent}/${probe.probes}; ${probe.atFirstTick} sent at the first tick after it, at most ${probe.maxInTickMs} ms into that tick)`,
      );
  }
  return lines;
}
