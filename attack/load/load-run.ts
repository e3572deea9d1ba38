import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { ComposeState } from "@/app/(signed-in)/compose/actions";
import { EmulatorControl } from "@/google-emulator/control/client";
import { loadServerActions } from "@/test-support/server-actions";
import type { Check } from "./results";
import { signInHeadless, type AppSession } from "./session";
import { formatTable, percentile, summarizeByRoute, type Sample } from "./stats";
import { runVirtualUser, type SendAction, type VirtualUserResult } from "./virtual-user";

/**
 * The load test's run and its checks, against an app already running at any URL (one `next start`, or
 * nginx in front of several): signs the users in, seeds their contacts, lets them browse and send, waits
 * for the outbox to drain and counts every accepted message at the local Google.
 */

export type LoadRunOptions = {
  emulatorUrl: string;
  databaseUrl: string;
  users: number;
  seconds: number;
  /** The browser of user `index` (from 1): where its requests go and from which address. */
  sessionFor: (index: number) => AppSession;
  /** Demo contacts with history for every signed-in user (scripts/seed.ts against the app's database). */
  seed: () => void;
};

export type LoadReport = {
  checks: Check[];
  metrics: Record<string, unknown> & { runToken: string };
  /** The per-route table and the throughput line, for the console. */
  summary: string;
};

const SIGN_IN_CONCURRENCY = 5;
const DRAIN_TIMEOUT_MS = 90_000;
const FINAL_STATUSES = new Set(["SENT", "FAILED", "UNKNOWN", "CANCELLED", "WAITING_FOR_RECONNECT"]);

const round = (ms: number) => Math.round(ms);

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

type MessageRow = {
  id: string;
  idempotencyKey: string;
  status: string;
  rfc822MessageId: string | null;
  lag: number | null;
};

async function messagesOfRun(db: Client, runToken: string): Promise<MessageRow[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT id, "idempotencyKey", status::text AS status, "rfc822MessageId",
            EXTRACT(EPOCH FROM ("sentAt" - "createdAt")) * 1000 AS lag
       FROM "Message" WHERE subject LIKE $1`,
    [`[${runToken}]%`],
  );
  return rows.map((row) => ({ ...row, lag: row.lag === null ? null : Number(row.lag) }));
}

/** The run's size from `--users` and `--seconds`, whole numbers above zero. */
export function loadSize(values: { users?: string; seconds?: string }): { users: number; seconds: number } {
  const users = Number(values.users);
  const seconds = Number(values.seconds);
  if (!(Number.isInteger(users) && users > 0 && Number.isInteger(seconds) && seconds > 0))
    throw new Error("--users and --seconds take whole numbers above zero");
  return { users, seconds };
}

export async function runLoadTest(options: LoadRunOptions): Promise<LoadReport> {
  const { users, seconds, emulatorUrl } = options;
  const runToken = `load-${randomBytes(4).toString("hex")}`;
  const setupStarted = performance.now();
  const control = new EmulatorControl(emulatorUrl);
  const actions = await loadServerActions();
  const sendAction = actions.get({ filename: "app/(signed-in)/compose/actions.ts", exportedName: "sendMessageAction" });
  const initialState: ComposeState = { ok: true };
  const send: SendAction = async (session, form) => {
    const answer = await actions.call(sendAction, {
      baseUrl: session.baseUrl,
      origin: new URL(session.appUrl).origin,
      cookie: session.cookieHeader(),
      headers: session.forwardingHeaders(),
      args: [initialState, form],
    });
    return { status: answer.status, state: answer.value as ComposeState | undefined };
  };

  const people = Array.from({ length: users }, (_, index) => ({
    index: index + 1,
    email: `load-${index + 1}@evergreen.test`,
    session: options.sessionFor(index + 1),
  }));
  for (const person of people) await control.addUser({ email: person.email, name: `Load User ${person.index}` });
  const signInTimes = await inBatches(people, SIGN_IN_CONCURRENCY, async (person) => {
    const started = performance.now();
    await signInHeadless(person.session, emulatorUrl, person.email);
    return performance.now() - started;
  });
  // Demo contacts with history for every user, so contact pages and searches have rows to show.
  options.seed();
  const setupMs = performance.now() - setupStarted;
  console.log(
    `  ${users} users signed in (p95 ${round(percentile(signInTimes, 95))} ms each) and seeded; set-up took ${(setupMs / 1000).toFixed(1)} s`,
  );

  // Mail sent before the run (another test's, on a shared stack) is not this run's to count.
  const before = new Set((await control.messages()).map((message) => message.messageId));
  const samples: Sample[] = [];
  const runStarted = Date.now();
  const until = runStarted + seconds * 1000;
  const results: VirtualUserResult[] = await Promise.all(
    people.map((person) =>
      runVirtualUser({
        ...person,
        runToken,
        until,
        send,
        record: (sample) => samples.push(sample),
        sendEveryMs: [4_000, 8_000],
        thinkMs: [500, 2_000],
        duplicateShare: 0.25,
      }),
    ),
  );
  const runMs = Date.now() - runStarted;
  const accepted = results.flatMap((result) => result.accepted);
  const refused = results.flatMap((result) => result.refused);
  const duplicates = results.flatMap((result) => result.duplicates);
  const wrongBodies = results.flatMap((result) => result.wrongBodies);
  console.log(`  ${samples.length} requests in ${(runMs / 1000).toFixed(1)} s; ${accepted.length} messages accepted`);

  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  const drainStarted = Date.now();
  let rows = await messagesOfRun(db, runToken);
  while (rows.some((row) => !FINAL_STATUSES.has(row.status)) && Date.now() - drainStarted < DRAIN_TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    rows = await messagesOfRun(db, runToken);
  }
  const drainMs = Date.now() - drainStarted;
  await db.end();
  const delivered = (await control.messages()).filter((message) => !before.has(message.messageId));

  const byId = new Map(rows.map((row) => [row.id, row]));
  const arrivals = new Map<string, number>();
  for (const message of delivered) arrivals.set(message.messageId, (arrivals.get(message.messageId) ?? 0) + 1);
  const acceptedRows = accepted.map((send) => byId.get(send.id));
  const notSent = accepted.filter((_, index) => acceptedRows[index]?.status !== "SENT");
  const arrivedOnce = acceptedRows.filter((row) => row?.rfc822MessageId && arrivals.get(row.rfc822MessageId) === 1);
  const arrivedTwice = [...arrivals].filter(([, count]) => count > 1);
  const acceptedMessageIds = new Set(acceptedRows.map((row) => row?.rfc822MessageId));
  const extra = delivered.filter((message) => !acceptedMessageIds.has(message.messageId));
  const duplicateMismatches = duplicates.filter(
    (submit) => submit.ids.length !== 2 || submit.ids[0] !== submit.ids[1] || !submit.duplicateFlags.includes(true),
  );
  const rowsPerKey = new Map<string, number>();
  for (const row of rows) rowsPerKey.set(row.idempotencyKey, (rowsPerKey.get(row.idempotencyKey) ?? 0) + 1);
  const silentUsers = people.filter((_, index) => results[index]!.accepted.length === 0);

  const summaries = summarizeByRoute(samples);
  const all = summaries.at(-1)!;
  const unexpectedStatuses = summaries.slice(0, -1).filter((row) => Object.keys(row.otherStatuses).length > 0);
  const errorCounts = new Map<string, number>();
  for (const { route, error } of samples)
    if (error) errorCounts.set(`${route}: ${error}`, (errorCounts.get(`${route}: ${error}`) ?? 0) + 1);
  const networkErrors = [...errorCounts].map(([error, count]) => ` (${count}× ${error})`).join("");
  const lags = rows.flatMap((row) => (row.lag === null ? [] : [row.lag]));

  const checks: Check[] = [
    {
      name: "no 5xx answers",
      ok: all.serverErrors === 0,
      detail: `${all.serverErrors} of ${all.requests} requests answered 5xx`,
    },
    {
      name: "no network errors",
      ok: all.networkErrors === 0,
      detail: `${all.networkErrors} of ${all.requests} requests failed without an answer${networkErrors}`,
    },
    {
      name: "every request answered 200",
      ok: unexpectedStatuses.length === 0,
      detail:
        unexpectedStatuses.map((row) => `${row.route}: ${JSON.stringify(row.otherStatuses)}`).join("; ") ||
        "no redirects, 4xx or 429s under load",
    },
    {
      name: "every page was the signed-in page, every client navigation an RSC payload",
      ok: wrongBodies.length === 0,
      detail: wrongBodies.length > 0 ? `${wrongBodies.length} wrong: ${wrongBodies.slice(0, 3).join("; ")}` : "all",
    },
    {
      name: "every send was accepted",
      ok: refused.length === 0 && accepted.length > 0,
      detail:
        refused.length > 0
          ? `${refused.length} refused: ${refused.slice(0, 3).join(" | ")}`
          : `${accepted.length} accepted`,
    },
    {
      name: "every user sent mail",
      ok: silentUsers.length === 0,
      detail:
        silentUsers.length > 0
          ? `no message from ${silentUsers.map((p) => p.email).join(", ")}`
          : `${users} of ${users}`,
    },
    {
      name: "every accepted message is SENT in the database",
      ok: notSent.length === 0,
      detail:
        notSent.length > 0
          ? `${notSent.length} not sent after ${round(drainMs / 1000)} s: ${notSent
              .slice(0, 3)
              .map((send) => `${send.subject} (${byId.get(send.id)?.status ?? "no row"})`)
              .join(", ")}`
          : `${accepted.length} sent; the outbox drained ${round(drainMs / 1000)} s after the run`,
    },
    {
      name: "every accepted message arrived at Google exactly once",
      ok: arrivedOnce.length === accepted.length && arrivedTwice.length === 0,
      detail: `${arrivedOnce.length} of ${accepted.length} arrived once; ${arrivedTwice.length} arrived more than once`,
    },
    {
      name: "nothing arrived that was not accepted",
      ok: extra.length === 0,
      detail: `${delivered.length} messages at Google, ${extra.length} not among the accepted`,
    },
    {
      name: "a repeated submit finds the same message",
      ok: duplicates.length > 0 && duplicateMismatches.length === 0 && [...rowsPerKey.values()].every((n) => n === 1),
      detail: `${duplicates.length} forms submitted twice (together or as a retry), ${duplicateMismatches.length} answered with a different message; ${rows.length} rows for ${rowsPerKey.size} keys`,
    },
  ];

  const metrics = {
    runToken,
    users,
    seconds,
    setupSeconds: Number((setupMs / 1000).toFixed(1)),
    signInMs: { p50: round(percentile(signInTimes, 50)), p95: round(percentile(signInTimes, 95)) },
    requests: all.requests,
    requestsPerSecond: Number((all.requests / (runMs / 1000)).toFixed(1)),
    serverErrors: all.serverErrors,
    networkErrors: all.networkErrors,
    routes: summaries.map((row) => ({
      ...row,
      p50: round(row.p50),
      p95: round(row.p95),
      p99: round(row.p99),
      max: round(row.max),
    })),
    sends: {
      accepted: accepted.length,
      refused: refused.length,
      repeatedSubmits: duplicates.length,
      sent: acceptedRows.filter((row) => row?.status === "SENT").length,
      arrivedOnce: arrivedOnce.length,
      arrivedMoreThanOnce: arrivedTwice.length,
      extraAtGoogle: extra.length,
      perMinute: Number((accepted.length / (runMs / 60_000)).toFixed(1)),
      drainSeconds: Number((drainMs / 1000).toFixed(1)),
      // From Send to Gmail's answer, the 10-second undo window included.
      sendToSentMs: {
        p50: round(percentile(lags, 50)),
        p95: round(percentile(lags, 95)),
        max: round(Math.max(0, ...lags)),
      },
    },
  };

  const summary = [
    formatTable([
      ["route", "requests", "5xx", "net err", "other", "p50 ms", "p95 ms", "p99 ms", "max ms"],
      ...summaries.map((row) => [
        row.route,
        String(row.requests),
        String(row.serverErrors),
        String(row.networkErrors),
        Object.entries(row.otherStatuses)
          .map(([status, count]) => `${status}×${count}`)
          .join(" ") || "-",
        String(round(row.p50)),
        String(round(row.p95)),
        String(round(row.p99)),
        String(round(row.max)),
      ]),
    ]),
    "",
    `Throughput ${metrics.requestsPerSecond} requests/s. Sends: ${metrics.sends.accepted} accepted (${metrics.sends.perMinute}/min, ` +
      `${metrics.sends.repeatedSubmits} submitted twice), ${metrics.sends.sent} SENT, ${metrics.sends.arrivedOnce} arrived once, ` +
      `${metrics.sends.arrivedMoreThanOnce} duplicated, ${metrics.sends.extraAtGoogle} extra; Send to sent (10 s undo window included) ` +
      `p50 ${metrics.sends.sendToSentMs.p50} ms, p95 ${metrics.sends.sendToSentMs.p95} ms.`,
  ].join("\n");
  return { checks, metrics, summary };
}
