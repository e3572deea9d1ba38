import { randomBytes } from "node:crypto";
import { benchDatabases } from "./databases";
import { DEFAULT_CONFIG } from "@/google-emulator/config";
import { EmulatorControl } from "@/google-emulator/control/client";
import { startGoogleEmulator } from "@/google-emulator/index";
import { DEV_CLIENT } from "@/google-emulator/seed";
import type { DeliveryRow } from "@/google-emulator/risc/delivery";
import { SECURITY_EVENT_RATE_LIMIT } from "@/lib/connection/risc-receiver";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { googleGateway } from "@/lib/google/gateway";
import { createDb, type Db } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { AppDeps } from "@/lib/platform/deps";
import type { Env } from "@/lib/platform/env";
import { connectedGoogleUser, startSecurityEventReceiver } from "@/test-support/security-event-receiver";

/**
 * Google's security events (RISC) end to end, on a SQLite file and on PostgreSQL, against the local
 * Google: its own SETs, signed with its keys and pushed over HTTP by its delivery engine to the app's
 * receiver (answerSecurityEventRequest on a node:http server, test-support/security-event-receiver.ts).
 * - latency: "remove access" at the local Google for each of 100 connected users, one user at a time,
 *   timed from just before the control call to the first database read that shows Reconnect needed;
 * - throughput: 1,000 SETs at once (10 events for each of the same 100 users, sessions-revoked and
 *   account-credential-change-required in turn: events that act without ending the grant). The first 900
 *   are triggered through the control API and held (the reorder fault); the first of the last 100 sets
 *   them all off in one tick of Google's delivery engine, and those 100 are each delivered twice (the
 *   duplicate fault). Every SET must be recorded once by its jti and acted on once. Once with a timeout
 *   at Google long enough for no retry, once with the local Google's default (5 s, 3 attempts).
 * The emulator, the receiver and the database client share this process, so times are a laptop's.
 */

export const RISC_BENCH = {
  users: 100,
  /** Users connected through the OAuth round trip at once while setting up. */
  connectAtOnce: 10,
  /** The latency phase removes access for one user at a time. */
  latencyAtOnce: 1,
  pollMs: 5,
  /** A user whose status has not changed after this long counts as lost. */
  latencyLimitMs: 10_000,
  goalP95Ms: 2_000,
  eventsPerUser: 10,
  /**
   * Control calls that trigger the throughput phase's events at once: the SETs are held until all are
   * queued, so this only spares the local Google's own accept queue.
   */
  triggersAtOnce: 50,
  /** SETs of the throughput phase the local Google delivers twice (its duplicate fault). */
  duplicated: 100,
  /**
   * The throughput phase once with a timeout long enough for the receiver to answer every SET at its first
   * attempt, once with the local Google's default (5 s, then retries 0.5 s and 1 s later, 3 attempts).
   */
  googleTimeoutsMs: [60_000, DEFAULT_CONFIG.riscDeliveryTimeoutMs],
} as const;

const THROUGHPUT_TYPES = ["sessions-revoked", "account-credential-change-required"] as const;

export type RiscLatencyRow = {
  database: Env["database"]["provider"];
  users: number;
  atOnce: number;
  /** Users whose status showed Reconnect needed within latencyLimitMs. */
  changed: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  met: boolean;
  /** Delivery attempts the local Google made, and how many the receiver answered 202. */
  deliveries: number;
  accepted: number;
};

export type RiscThroughputRow = {
  database: Env["database"]["provider"];
  /** How long the local Google waits for the receiver's answer before it retries (riscDeliveryTimeoutMs). */
  googleTimeoutMs: number;
  /** SETs the triggers queued (distinct jti). */
  sets: number;
  /** Delivery attempts: the SETs, the duplicate fault's second copies, and any retries. */
  deliveries: number;
  accepted: number;
  /** Answers other than 202 (or no answer), by status: "429", "503", "timed out", … */
  otherAnswers: Record<string, number>;
  /** SETs the local Google gave up on after its last attempt. */
  gaveUp: number;
  /** Attempts the local Google started within a second of its first (the receiver answers ~150 a second). */
  sentInFirstSecond: number;
  /** Most requests the receiver was answering at once (begun, not yet answered; this process has one thread). */
  peakInFlight: number;
  /** SecurityEvent rows for the phase's jti, and those with an outcome (acted on). */
  recorded: number;
  actedOn: number;
  /** GOOGLE_SECURITY_EVENT connection events the phase added (one per SET: one account per user). */
  connectionEvents: number;
  /** SETs queued but never recorded, and actions beyond one per recorded SET. */
  lost: number;
  actedTwice: number;
  /** Sessions left of the users (sessions-revoked ends them all). */
  sessionsLeft: number;
  /** From the first trigger call until all were answered. */
  triggerSeconds: number;
  /** From the first delivery attempt until the local Google had nothing left to send and the receiver nothing to answer. */
  deliverySeconds: number;
  /** From then until the receiver had answered every request, those Google gave up on included. */
  drainSeconds: number;
  /** From the first trigger call until the local Google had nothing left to send. */
  wallSeconds: number;
  /** SETs / deliverySeconds. */
  setsPerSecond: number;
};

export type RiscBenchReport = {
  ranAt: string;
  node: string;
  postgres?: string;
  settings: typeof RISC_BENCH;
  rateLimit: string;
  /** Seconds to connect the users (OAuth round trip and linking), per database. */
  connectSeconds: Record<string, number>;
  latency: RiscLatencyRow[];
  throughput: RiscThroughputRow[];
  /** Warnings and errors the receiver logged, first few per database. */
  receiverProblems: string[];
  skipped: string[];
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round1 = (value: number) => Math.round(value * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchRisc(
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<RiscBenchReport> {
  const report: RiscBenchReport = {
    ranAt: new Date().toISOString(),
    node: process.version,
    postgres: undefined,
    settings: RISC_BENCH,
    rateLimit:
      `${SECURITY_EVENT_RATE_LIMIT.limit.toLocaleString("en")} per ${SECURITY_EVENT_RATE_LIMIT.windowSeconds} s per address; ` +
      "all bench traffic is one address, so its bucket is emptied before each phase and each phase stays under it",
    connectSeconds: {},
    latency: [],
    throughput: [],
    receiverProblems: [],
    skipped: [],
  };
  const databases = await benchDatabases("risc", report, onCleanup);

  for (const database of databases) {
    await migrateDatabase(database);
    const db = createDb(database);
    onCleanup(() => db.$disconnect());
    // A local Google per database: its users, grants, stream and delivery log belong to this run only.
    const emulator = await startGoogleEmulator({ port: 0 });
    onCleanup(() => emulator.close());
    const control = new EmulatorControl(emulator.url);
    const google = { url: emulator.url, control };
    const keys = [{ id: "bench", key: randomBytes(32) }];
    const deps: AppDeps = {
      db,
      keys,
      vault: createTokenVault(keys),
      google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: emulator.url }),
      now: () => new Date(),
      publishingStatus: "production",
      dailySendLimit: 2000,
    };
    const receiver = await startSecurityEventReceiver(emulator.url, deps);
    onCleanup(() => receiver.close());

    const started = performance.now();
    const users: Array<Awaited<ReturnType<typeof connectedGoogleUser>>> = [];
    for (let i = 0; i < RISC_BENCH.users; i += RISC_BENCH.connectAtOnce) {
      const batch = Array.from(
        { length: Math.min(RISC_BENCH.connectAtOnce, RISC_BENCH.users - i) },
        (_, j) => `risc-bench-${i + j + 1}@evergreen.test`,
      );
      users.push(...(await Promise.all(batch.map((email) => connectedGoogleUser(google, deps, email)))));
    }
    const accounts = await db.account.findMany({ select: { id: true, userId: true } });
    const accountOf = new Map(accounts.map((account) => [account.userId, account.id]));
    report.connectSeconds[database.provider] = round1((performance.now() - started) / 1000);
    log(`${database.provider}: ${users.length} users connected in ${report.connectSeconds[database.provider]} s`);

    // The receiver logs a line per event acted on; a thousand of them would bury the tables.
    const quiet = quietConsole();
    try {
      // Throughput first: it needs the grants that the latency phase ends.
      for (const timeoutMs of RISC_BENCH.googleTimeoutsMs)
        report.throughput.push(await throughput(database.provider, db, control, receiver, users, timeoutMs));
      report.latency.push(await latency(database.provider, db, control, users, accountOf));
    } finally {
      quiet.restore();
    }
    report.receiverProblems.push(...quiet.problems.slice(0, 5).map((line) => `${database.provider}: ${line}`));
    if (quiet.problems.length > 5)
      report.receiverProblems.push(`${database.provider}: … ${quiet.problems.length - 5} more`);
    log(
      `${database.provider}: done in ${round1((performance.now() - started) / 1000)} s (receiver logged ${quiet.logged} events acted on)`,
    );
  }
  return report;
}

/** Empties the receiver's rate-limit bucket: every request of the bench comes from one address. */
async function resetRateLimit(db: Db) {
  await db.rateLimitBucket.deleteMany({ where: { key: { startsWith: `${SECURITY_EVENT_RATE_LIMIT.name}:` } } });
}

/** The delivery rows appended since `from`, once the local Google has nothing left to send. */
async function deliveriesSince(control: EmulatorControl, from: number): Promise<DeliveryRow[]> {
  const { pending } = await control.riscFlush();
  if (pending > 0) throw new Error(`the local Google still had ${pending} SET(s) to send after 30 s`);
  return (await control.riscDeliveries()).slice(from);
}

async function latency(
  database: Env["database"]["provider"],
  db: Db,
  control: EmulatorControl,
  users: Array<{ email: string; userId: string }>,
  accountOf: Map<string, string>,
): Promise<RiscLatencyRow> {
  await resetRateLimit(db);
  const before = (await control.riscDeliveries()).length;
  const times: number[] = [];
  for (const user of users) {
    const accountId = accountOf.get(user.userId)!;
    const started = performance.now();
    await control.revokeAccess(user.email);
    while (performance.now() - started < RISC_BENCH.latencyLimitMs) {
      const account = await db.account.findUniqueOrThrow({ where: { id: accountId }, select: { status: true } });
      if (account.status === "NEEDS_RECONNECT") {
        times.push(performance.now() - started);
        break;
      }
      await sleep(RISC_BENCH.pollMs);
    }
  }
  const rows = await deliveriesSince(control, before);
  const attempts = rows.filter((row) => row.attempt > 0);
  const sorted = [...times].sort((a, b) => a - b);
  const p95Ms = round1(percentile(sorted, 95));
  return {
    database,
    users: users.length,
    atOnce: RISC_BENCH.latencyAtOnce,
    changed: times.length,
    p50Ms: round1(percentile(sorted, 50)),
    p95Ms,
    maxMs: round1(sorted.at(-1) ?? NaN),
    met: times.length === users.length && p95Ms <= RISC_BENCH.goalP95Ms,
    deliveries: attempts.length,
    accepted: attempts.filter((row) => row.status === 202).length,
  };
}

async function throughput(
  database: Env["database"]["provider"],
  db: Db,
  control: EmulatorControl,
  receiver: { load: () => { inFlight: number; peak: number }; closeIdleConnections: () => void },
  users: Array<{ email: string; userId: string }>,
  googleTimeoutMs: number,
): Promise<RiscThroughputRow> {
  await resetRateLimit(db);
  const defaults = await control.config();
  await control.configure({ riscDeliveryTimeoutMs: googleTimeoutMs });
  // A session for each user, so that sessions-revoked has something to end.
  await db.session.createMany({
    data: users.map((user, i) => ({
      userId: user.userId,
      sessionToken: `risc-bench-${i}-${randomBytes(8).toString("hex")}`,
      expires: new Date(Date.now() + 86_400_000),
    })),
  });
  const eventsBefore = await db.connectionEvent.count({ where: { kind: "GOOGLE_SECURITY_EVENT" } });
  const before = (await control.riscDeliveries()).length;
  const triggers = users.flatMap((user) =>
    Array.from({ length: RISC_BENCH.eventsPerUser }, (_, i) => ({
      email: user.email,
      type: THROUGHPUT_TYPES[i % THROUGHPUT_TYPES.length]!,
    })),
  );
  const sets = triggers.length;
  const held = triggers.slice(0, sets - RISC_BENCH.duplicated);
  // Every row starts without the connections of the one before, as a burst from Google would.
  receiver.closeIdleConnections();
  receiver.load();

  // Each SET takes one fault, in order. The reorder fault holds SETs until the next one has been tried:
  // the first 900 are queued and held; then, with the first of the last 100 (each delivered twice),
  // Google's delivery engine starts all 900 in one tick.
  const started = performance.now();
  await control.riscFault({ kind: "reorder", count: held.length });
  const answers = await pooled(held, RISC_BENCH.triggersAtOnce, (trigger) => control.riscTrigger(trigger));
  await control.riscFault({ kind: "duplicate", count: RISC_BENCH.duplicated });
  const rest = triggers.slice(held.length);
  answers.push(...(await pooled(rest, RISC_BENCH.triggersAtOnce, (trigger) => control.riscTrigger(trigger))));
  const triggerSeconds = (performance.now() - started) / 1000;
  const rows = await deliveriesSince(control, before);
  const wallSeconds = (performance.now() - started) / 1000;
  const settledAt = Date.now();
  await control.configure({ riscDeliveryTimeoutMs: defaults.riscDeliveryTimeoutMs });
  // Google gives up on a request after its timeout, the receiver does not: wait for what it still answers.
  const peak = await receiverIdle(receiver);
  const drainSeconds = (Date.now() - settledAt) / 1000;

  const attempts = rows.filter((row) => row.outcome !== "dropped");
  const jtis = [...new Set(rows.map((row) => row.jti))];
  const queued = answers.reduce((sum, answer) => sum + answer.sets, 0);
  if (queued !== sets || jtis.length !== sets)
    throw new Error(`${sets} SETs expected, ${queued} queued, ${jtis.length} jti in the delivery log`);
  const firstAttemptAt = Math.min(...attempts.map((row) => Date.parse(row.at)));
  const deliverySeconds = (settledAt + drainSeconds * 1000 - firstAttemptAt) / 1000;
  const firstSecond = attempts.filter((row) => Date.parse(row.at) < firstAttemptAt + 1000).length;
  const otherAnswers: Record<string, number> = {};
  for (const row of attempts.filter((attempt) => attempt.status !== 202)) {
    const key = row.status === null ? (row.error ?? "no answer") : String(row.status);
    otherAnswers[key] = (otherAnswers[key] ?? 0) + 1;
  }
  const recorded = await db.securityEvent.findMany({ where: { jti: { in: jtis } }, select: { outcome: true } });
  const actedOn = recorded.filter((row) => row.outcome !== null).length;
  const connectionEvents =
    (await db.connectionEvent.count({ where: { kind: "GOOGLE_SECURITY_EVENT" } })) - eventsBefore;
  return {
    database,
    googleTimeoutMs,
    sets,
    deliveries: attempts.length,
    accepted: attempts.filter((row) => row.status === 202).length,
    otherAnswers,
    gaveUp: rows.filter((row) => row.outcome === "dropped").length,
    sentInFirstSecond: firstSecond,
    peakInFlight: peak,
    recorded: recorded.length,
    actedOn,
    connectionEvents,
    lost: sets - recorded.length,
    actedTwice: Math.max(0, connectionEvents - actedOn),
    sessionsLeft: await db.session.count({ where: { userId: { in: users.map((user) => user.userId) } } }),
    triggerSeconds: round1(triggerSeconds),
    deliverySeconds: round1(deliverySeconds),
    drainSeconds: round1(drainSeconds),
    wallSeconds: round1(wallSeconds),
    setsPerSecond: Math.round(sets / deliverySeconds),
  };
}

/** `run` for every item, at most `atOnce` at a time; the answers in the items' order. */
async function pooled<T, R>(items: T[], atOnce: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const answers: R[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) answers[i] = await run(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
  return answers;
}

/** Waits until the receiver answers no request; answers the most it answered at once. */
async function receiverIdle(receiver: { load: () => { inFlight: number; peak: number } }): Promise<number> {
  let peak = 0;
  const started = Date.now();
  for (;;) {
    const load = receiver.load();
    peak = Math.max(peak, load.peak);
    if (load.inFlight === 0) return peak;
    if (Date.now() - started > 60_000)
      throw new Error(`the receiver still answered ${load.inFlight} request(s) after 60 s`);
    await sleep(20);
  }
}

/** Counts the receiver's log lines instead of printing them; keeps its warnings and errors. */
function quietConsole() {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const quiet = {
    logged: 0,
    problems: [] as string[],
    restore: () => Object.assign(console, saved),
  };
  console.log = () => void (quiet.logged += 1);
  console.warn = console.error = (...args: unknown[]) => void quiet.problems.push(args.map(String).join(" "));
  return quiet;
}

/** The two phases as plain-text tables. */
export function formatRiscTables(report: RiscBenchReport): string {
  const pad = (value: string | number, width: number) => String(value).padStart(width);
  const goal = `p95 ≤ ${RISC_BENCH.goalP95Ms} ms`;
  const latency = [
    `database    users  at once  changed  p50 ms  p95 ms  max ms  202/attempts  ${goal}`,
    `----------  -----  -------  -------  ------  ------  ------  ------------  ${"-".repeat(goal.length)}`,
    ...report.latency.map(
      (row) =>
        `${row.database.padEnd(10)}  ${pad(row.users, 5)}  ${pad(row.atOnce, 7)}  ${pad(row.changed, 7)}  ${pad(row.p50Ms.toFixed(0), 6)}  ${pad(row.p95Ms.toFixed(0), 6)}  ${pad(row.maxMs.toFixed(0), 6)}  ${pad(`${row.accepted}/${row.deliveries}`, 12)}  ${row.met ? "met" : "NOT MET"}`,
    ),
  ];
  const throughput = [
    "database    timeout s  attempts  sent in 1st s   202  other  gave up  peak in flight  recorded  acted  conn. events  lost  acted twice  trigger s  delivery s  SETs/s",
    "----------  ---------  --------  -------------  ----  -----  -------  --------------  --------  -----  ------------  ----  -----------  ---------  ----------  ------",
    ...report.throughput.map((row) => {
      const other = Object.values(row.otherAnswers).reduce((sum, count) => sum + count, 0);
      return `${row.database.padEnd(10)}  ${pad(row.googleTimeoutMs / 1000, 9)}  ${pad(row.deliveries, 8)}  ${pad(row.sentInFirstSecond, 13)}  ${pad(row.accepted, 4)}  ${pad(other, 5)}  ${pad(row.gaveUp, 7)}  ${pad(row.peakInFlight, 14)}  ${pad(row.recorded, 8)}  ${pad(row.actedOn, 5)}  ${pad(row.connectionEvents, 12)}  ${pad(row.lost, 4)}  ${pad(row.actedTwice, 11)}  ${pad(row.triggerSeconds.toFixed(1), 9)}  ${pad(row.deliverySeconds.toFixed(1), 10)}  ${pad(row.setsPerSecond, 6)}`;
    }),
  ];
  return [
    "1. Latency: remove access at the local Google → Reconnect needed in the database",
    "",
    ...latency,
    "",
    `2. Throughput: ${RISC_BENCH.users * RISC_BENCH.eventsPerUser} SETs in flight, ${RISC_BENCH.users * RISC_BENCH.eventsPerUser - RISC_BENCH.duplicated} held at Google and released together, ${RISC_BENCH.duplicated} delivered twice`,
    "",
    ...throughput,
  ].join("\n");
}
