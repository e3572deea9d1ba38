// `npm run bench`: token refresh (scripts/bench/tokens.ts) and the send path and outbox throughput
// (scripts/bench/outbox.ts). Starts its own local Google, SQLite files and PostgreSQL servers, prints
// tables and writes them as JSON to bench-results/.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { benchOutbox, formatOutboxTables } from "./bench/outbox";
import { benchTokens, formatTokenTable } from "./bench/tokens";

const OUTPUT = path.join("bench-results", "tokens.json");

async function main() {
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
  try {
    const report = await benchTokens(console.log, (cleanup) => cleanups.push(cleanup));
    mkdirSync(path.dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify(report, null, 2)}\n`);
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

    const outbox = await benchOutbox(console.log, (cleanup) => cleanups.push(cleanup));
    writeFileSync(path.join("bench-results", "outbox.json"), `${JSON.stringify(outbox, null, 2)}\n`);
    console.log(
      "\nSend path: validate and store a message (the send action's work after its session check), per call\n",
    );
    console.log(formatOutboxTables(outbox));
    console.log(
      "\nThroughput: one account, a backlog larger than a minute's quota, workers draining it against the local" +
        "\nGoogle's real per-user quota; rate-limit errors are sends Google refused for quota (goal: none).",
    );
    console.log(`\nWrote ${OUTPUT} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await cleanUp();
    process.off("SIGINT", interrupt).off("SIGTERM", interrupt);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
