// `npm run bench`: token refresh (scripts/bench/tokens.ts), the send path and outbox throughput
// (scripts/bench/outbox.ts), the CRM at 10,000 contacts (scripts/bench/crm.ts), First Load JS per
// route (scripts/bench/first-load-js.ts), mail merge (scripts/bench/merge.ts), Google's security
// events (scripts/bench/risc.ts), sequences (scripts/bench/sequences.ts) and the outbox's throughput
// across 100 accounts (scripts/bench/accounts.ts). Starts its own local Google, SQLite files and PostgreSQL servers,
// prints tables and writes them as JSON to bench-results/.
// `npm run bench -- crm` runs one part.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ACCOUNTS_BENCH, accountsGoalLines, benchAccounts, formatAccountsTable } from "./bench/accounts";
import { benchCrm, CRM_GOAL_P95_MS, CRM_SCALE, CRM_WARM_UP, formatCrmTable } from "./bench/crm";
import { benchFirstLoadJs, formatFirstLoadTable } from "./bench/first-load-js";
import { benchMerge, formatMergeTables, mergeGoalLines } from "./bench/merge";
import { benchOutbox, formatOutboxTables } from "./bench/outbox";
import { benchRisc, formatRiscTables, RISC_BENCH } from "./bench/risc";
import { benchSequences, formatSequenceTable, SEQUENCE_BENCH, sequenceFailures } from "./bench/sequences";
import { benchTokens, formatTokenTable } from "./bench/tokens";

const OUTPUT = "bench-results";
const PARTS = ["tokens", "outbox", "crm", "first-load-js", "merge", "risc", "sequences", "accounts"] as const;

function chosenParts(args: string[]): Set<(typeof PARTS)[number]> {
  const unknown = args.filter((arg) => !(PARTS as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`Unknown part ${unknown.join(", ")}: choose from ${PARTS.join(", ")}.`);
  return new Set(args.length > 0 ? (args as Array<(typeof PARTS)[number]>) : PARTS);
}

async function main() {
  const parts = chosenParts(process.argv.slice(2));
  const started = performance.now();
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error(error));
  };
  // Ctrl-C must not orphan the PostgreSQL server; tsx relays the terminal's SIGINT, so a second one may follow.
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    void cleanUp().finally(() => process.exit(130));
  };
  process.on("SIGINT", interrupt).on("SIGTERM", interrupt);
  mkdirSync(OUTPUT, { recursive: true });
  const written: string[] = [];
  const write = (name: string, report: unknown) => {
    writeFileSync(path.join(OUTPUT, name), `${JSON.stringify(report, null, 2)}\n`);
    written.push(path.join(OUTPUT, name));
  };
  try {
    if (parts.has("tokens")) await tokens(write, (cleanup) => cleanups.push(cleanup));
    if (parts.has("outbox")) await outbox(write, (cleanup) => cleanups.push(cleanup));
    if (parts.has("crm")) await crm(write, (cleanup) => cleanups.push(cleanup));
    if (parts.has("first-load-js")) await firstLoadJs(write);
    if (parts.has("merge")) await merge(write, (cleanup) => cleanups.push(cleanup));
    if (parts.has("risc")) await risc(write, (cleanup) => cleanups.push(cleanup));
    if (parts.has("sequences")) await sequences(write, (cleanup) => cleanups.push(cleanup));
    if (parts.has("accounts")) await accounts(write, (cleanup) => cleanups.push(cleanup));
    console.log(`\nWrote ${written.join(", ")} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await cleanUp();
    process.off("SIGINT", interrupt).off("SIGTERM", interrupt);
  }
}

type Write = (name: string, report: unknown) => void;
type OnCleanup = (cleanup: () => Promise<void>) => void;

async function tokens(write: Write, onCleanup: OnCleanup) {
  const report = await benchTokens(console.log, onCleanup);
  write("tokens.json", report);
  console.log(
    `\nToken refresh: concurrent callers on an expired token (${report.accounts} accounts; callers per account in each process)\n`,
  );
  console.log(formatTokenTable(report));
  console.log(
    "\ncallers: concurrent calls per account in each process. rounds: expiries measured (each expires every" +
      "\naccount's token, then fires every caller at once); calls: every call of every round. token calls/account:" +
      "\ncalls to Google's token endpoint for one account in one round, lowest–highest (the goal is 1). p50/p95: wall" +
      "\ntime of each call. fresh p50: the same callers again once the token is fresh (no refresh). Google is the" +
      "\nlocal emulator in this process.",
  );
  const rows = report.rows.filter((row) => row.mode === "getAccessToken");
  const met = rows.filter(
    (row) => row.errors === 0 && row.tokenCallsPerAccount.min === 1 && row.tokenCallsPerAccount.max === 1,
  );
  console.log(
    `getAccessToken: exactly 1 token call per account per round, without errors, in ${met.length} of ${rows.length} rows.`,
  );
  for (const skipped of report.skipped) console.log(`skipped: ${skipped}`);
}

async function outbox(write: Write, onCleanup: OnCleanup) {
  const outbox = await benchOutbox(console.log, onCleanup);
  write("outbox.json", outbox);
  console.log("\nSend path: validate and store a message (the send action's work after its session check), per call\n");
  console.log(formatOutboxTables(outbox));
  console.log(
    "\nThroughput: one account, a backlog larger than a minute's quota, workers draining it against the local" +
      "\nGoogle's real per-user quota; rate-limit errors are sends Google refused for quota (goal: none).",
  );
}

async function crm(write: Write, onCleanup: OnCleanup) {
  console.log(
    `\nThe CRM at scale: one user, ${CRM_SCALE.contacts.toLocaleString("en")} contacts, ${CRM_SCALE.messages.toLocaleString("en")} messages\n`,
  );
  const report = await benchCrm(console.log, onCleanup);
  write("crm.json", report);
  console.log(formatCrmTable(report));
  console.log(
    "\nServer time of each page's database work through the lib functions the page calls, one call at a time" +
      `\n(after ${CRM_WARM_UP} warm-up calls); goal: p95 ≤ ${CRM_GOAL_P95_MS} ms. Seeding took ${Object.entries(
        report.seedSeconds,
      )
        .map(([database, seconds]) => `${seconds} s on ${database}`)
        .join(", ")}.`,
  );
  for (const skipped of report.skipped) console.log(`skipped: ${skipped}`);
}

async function firstLoadJs(write: Write) {
  console.log("\nFirst Load JS per route: what a first visit downloads, gzipped\n");
  const report = await benchFirstLoadJs(console.log);
  write("first-load-js.json", report);
  console.log(formatFirstLoadTable(report));
  console.log(
    `\nFrom the build ${report.buildId} of ${report.builtAt} (delete .next for a fresh one). Counted: the shared` +
      "\nruntime (rootMainFiles) and the route's segment chunks (layouts, error and not-found boundaries, page) from" +
      "\nits client reference manifest, each file once, gzip level 9: the route's HTML script tags, less nomodule polyfills.",
  );
}

async function merge(write: Write, onCleanup: OnCleanup) {
  console.log(
    "\nMail merge: preparing 2,000 recipients, a merge draining against Gmail's quota, one-to-one email during it\n",
  );
  const report = await benchMerge(console.log, onCleanup);
  write("merge.json", report);
  console.log(formatMergeTables(report));
  console.log(
    "\n1. The lib's prepareMerge writes the ledger with createMany, 500 rows a statement; the baseline writes the" +
      "\nsame ledger in the same transaction one create per row. Each run also saves the message (Hi {{first_name}}," +
      "\n{{company | your company}}) and renders every recipient for the report." +
      "\n2. Start pressed, then the background jobs' 1 s ticks: the feeder, then one outbox pass (batch of 10)." +
      "\nsim min: start to the last send; sends/min: sent / sim min. peak/min: most sends the local Google saw in" +
      "\nany 60 s, the probes of 3 included (its quota: 150). rate-limit: sends it refused for quota (gmail.send" +
      "\ncalls less messages kept). holds: claims the outbox put back at its own 95% hold. dupl./missing:" +
      "\nrecipients received twice / never. The baseline stores the same recipients at once as one-to-one email" +
      "\n(all due when the undo window ends)." +
      "\n3. In each drain of 2, 20 one-to-one emails stored at seeded moments between ticks; the time from the end" +
      "\nof each one's undo window to its send: up to 1 s waiting for the next tick, plus that tick's work before its" +
      "\nsend (in-tick work: the feeder, the messages ahead of it in the batch). at first tick: sent in the first tick" +
      "\nafter its undo window, not held behind the drain." +
      `\nClocks: ${report.clock}`,
  );
  for (const line of mergeGoalLines(report)) console.log(line);
  for (const skipped of report.skipped) console.log(`skipped: ${skipped}`);
}

async function risc(write: Write, onCleanup: OnCleanup) {
  console.log(
    `\nGoogle's security events (RISC): the local Google's SETs to the app's receiver, ${RISC_BENCH.users} connected users\n`,
  );
  const report = await benchRisc(console.log, onCleanup);
  write("risc.json", report);
  console.log(formatRiscTables(report));
  console.log(
    "\n1. One user at a time: the clock starts just before the control call that removes access at the local" +
      `\nGoogle and stops at the first database read (every ${RISC_BENCH.pollMs} ms) showing NEEDS_RECONNECT: Google's` +
      "\ndelivery, the receiver's checks, the status change, and up to one poll interval. changed: users whose" +
      "\nstatus changed (within 10 s). 202/attempts: Google's delivery attempts and the receiver's 202s." +
      "\n2. sessions-revoked and account-credential-change-required in turn, 10 per user (events that act without" +
      "\nending the grant). 900 triggered and held at Google (the reorder fault), then the first of 100 more (each" +
      "\ndelivered twice: the duplicate fault) sets them all off at once. timeout s: how long Google waits for an" +
      "\nanswer before it retries (0.5 s, then 1 s later; 3 attempts; 5 s is the local Google's default)." +
      "\nattempts: every delivery, copies and retries included; sent in 1st s: of those, started within a second" +
      "\nof the first. other: no 202 (timed out, 429, 503). gave up: SETs Google stopped retrying. peak in flight:" +
      "\nrequests the receiver had begun and not answered (one thread for Google, receiver and bench). recorded:" +
      "\nSecurityEvent rows for the SETs' jti; acted: those with an outcome; conn. events: GOOGLE_SECURITY_EVENT" +
      "\nrows added, one per acted SET (an action done twice would add one more). lost: SETs never recorded." +
      "\ntrigger s: the control calls (50 at a time); delivery s: Google's first attempt until it had nothing left" +
      "\nto send (and the receiver nothing left to answer); SETs/s: 1,000 / delivery s." +
      `\nRate limit: ${report.rateLimit}.`,
  );
  for (const row of report.throughput)
    if (Object.keys(row.otherAnswers).length > 0)
      console.log(`${row.database}: answers other than 202: ${JSON.stringify(row.otherAnswers)}`);
  for (const problem of report.receiverProblems) console.log(`receiver: ${problem}`);
  for (const skipped of report.skipped) console.log(`skipped: ${skipped}`);
}

async function sequences(write: Write, onCleanup: OnCleanup) {
  const b = SEQUENCE_BENCH;
  console.log(
    `\nSequences: ${b.users} users with reply detection, ${(b.users * b.contactsPerUser).toLocaleString("en")} contacts, ` +
      `${(b.users * b.contactsPerUser * b.sequencesPerUser).toLocaleString("en")} active enrolments (each contact in ` +
      `${b.sequencesPerUser} three-step sequences), due over ${b.spreadDays} days, ${b.dueNow} now\n`,
  );
  const report = await benchSequences(console.log, onCleanup);
  write("sequences.json", report);
  console.log(formatSequenceTable(report));
  const seeding = Object.entries(report.seedSeconds).map(([database, seconds]) => `${seconds} s on ${database}`);
  console.log(
    [
      "",
      "tick query: the feeder's one query over all enrolments (findDueEnrolments; the index on state and nextSendAt),",
      `${b.tickRuns} calls after ${b.warmUp} warm-up calls. idle tick: a whole feedSequences with nothing due (the clock 15 min`,
      "before the first due step): what every 1 s tick costs. baseline: the same answer without the index's help, every",
      `active enrolment read and the due ones picked in JS (${b.minRuns}–${b.tickRuns} calls, ${b.measureBudgetMs / 1000} s at most once past ${b.minRuns}).`,
      "steps: 1 s ticks of both clocks (the app's and the local Google's), each feedSequences then one runOutboxOnce",
      `(batch of 10), until the first emails of the ${b.sentSteps} earliest enrolments were sent: the ${b.dueNow} due, then the clock`,
      "moved to when the next ones were due. p50/p95/max: a tick; ms a step: time in the feeder and the outbox / steps.",
      `reply checks: those ${b.sentSteps} threads (not 1,000: a real send costs 60–150 ms on a busy 2-core machine), ${b.replies} of them`,
      `answered at the local Google first; checkRepliesDue (200 a run) once a minute of both clocks for ${b.replyIntervals} check`,
      "intervals (1 h). p50/p95/max: a run's time / the threads it read, for runs that read any. Every threads.get is",
      "counted at the gateway with the app's clock (and at the local Google): per active thread per interval, the",
      "mean, the most for one thread in any 60 min (the goal) and the fewest (0 would be a thread left unread).",
      `Seeding (OAuth round trips, contacts and sequences through the lib, enrolments with createMany): ${seeding.join(", ")}.`,
    ].join("\n"),
  );
  for (const [database, plan] of Object.entries(report.plans)) console.log(`${database} plan: ${plan}`);
  for (const skipped of report.skipped) console.log(`skipped: ${skipped}`);
  const failures = sequenceFailures(report);
  for (const failure of failures) console.log(`FAIL ${failure}`);
  if (failures.length > 0) process.exitCode = 1;
}

async function accounts(write: Write, onCleanup: OnCleanup) {
  const b = ACCOUNTS_BENCH;
  console.log(
    `\nThroughput across accounts: ${b.accounts} accounts paced at ${b.pacePerMinute} sends a minute each ` +
      `(GMAIL_SENDS_PER_MINUTE), ${b.queuedPerAccount} queued each, the local Google answering every send after ` +
      `${b.sendLatencyMs} ms, ${b.workers} workers for ${b.windowMs / 1000} s\n`,
  );
  const report = await benchAccounts(console.log, onCleanup);
  write("accounts.json", report);
  console.log(formatAccountsTable(report));
  console.log(
    [
      "",
      "sent: messages whose request left within the window and that Gmail accepted. possible: the sum of the accounts'",
      "paces over the window. share: sent / possible. all sent by: when the last of those possible sends left (the",
      "headroom: a worker that keeps up sends the minute's pace early, then waits for the paces to allow more).",
      "most/min/account: the most sends of one account in any 60 s",
      `(held at 95% of its pace). The workers run the outbox job in this process as the server's loop does (every second,`,
      "never two rounds at once), against one SQLite file or one PostgreSQL; the local Google runs in this process too.",
    ].join("\n"),
  );
  for (const line of accountsGoalLines(report)) console.log(line);
  for (const skipped of report.skipped) console.log(`skipped: ${skipped}`);
  if (accountsGoalLines(report).some((line) => line.startsWith("NOT MET"))) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
