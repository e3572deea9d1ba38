import { randomBytes } from "node:crypto";
import { benchDatabases } from "./databases";
import { EmulatorControl } from "@/google-emulator/control/client";
import { startGoogleEmulator } from "@/google-emulator/index";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { createDb } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { AppDeps } from "@/lib/platform/deps";
import type { Env } from "@/lib/platform/env";
import { googleGateway } from "@/lib/google/gateway";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { linkGoogleAccount } from "@/lib/connection/sign-in";
import {
  startRefreshWorker,
  type CallResult,
  type RefreshRound,
  type RefreshWorker,
} from "@/test-support/refresh-workers";

/**
 * Concurrent callers on an expired token: how many token-endpoint calls each account costs and how
 * long callers wait, for getAccessToken (single flight + lease) beside a naive refresh per caller, on
 * SQLite and PostgreSQL, in one and two worker processes sharing the database. Google is the local
 * emulator in this process, so absolute times are a laptop's, not Google's.
 */

const ACCOUNTS = 5;
const CALLERS = [1, 10, 50];
const PROCESSES = [1, 2];
const MODES: Array<RefreshRound["mode"]> = ["getAccessToken", "naive"];
/** Each row pools rounds until it has this many calls (at most MAX_ROUNDS), so small rows are not one sample. */
const MIN_SAMPLES = 50;
const MAX_ROUNDS = 10;
/** Lets every worker read its round before the common start. */
const START_DELAY_MS = 100;

export type TokenBenchRow = {
  database: Env["database"]["provider"];
  processes: number;
  /** Concurrent calls per account in each process. */
  callers: number;
  mode: RefreshRound["mode"];
  /** Expiries measured: each expires every account's token, then fires every caller at once. */
  rounds: number;
  /** Every call of every round: rounds × accounts × callers × processes. */
  calls: number;
  errors: number;
  /** Calls to Google's token endpoint, all rounds and accounts. */
  tokenCalls: number;
  /** Token-endpoint calls for one account in one round, lowest and highest seen. */
  tokenCallsPerAccount: { min: number; max: number };
  p50Ms: number;
  p95Ms: number;
  /** After each round, getAccessToken again at once, the token now fresh: a call without a refresh. */
  freshP50Ms?: number;
};

export type TokenBenchReport = {
  ranAt: string;
  node: string;
  postgres?: string;
  accounts: number;
  workerStartupMs: number[];
  rows: TokenBenchRow[];
  skipped: string[];
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export async function benchTokens(
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<TokenBenchReport> {
  const emulator = await startGoogleEmulator({ port: 0 });
  onCleanup(() => emulator.close());
  const control = new EmulatorControl(emulator.url);
  const emails = Array.from({ length: ACCOUNTS }, (_, i) => `bench${i + 1}@evergreen.test`);
  for (const [i, email] of emails.entries())
    await control.addUser({ email, name: `Bench ${i + 1}`, sub: `20000000000000000000${i}` });

  const report: TokenBenchReport = {
    ranAt: new Date().toISOString(),
    node: process.version,
    postgres: undefined,
    accounts: ACCOUNTS,
    workerStartupMs: [],
    rows: [],
    skipped: [],
  };

  const databases = await benchDatabases("tokens", report, onCleanup);

  for (const database of databases) {
    await migrateDatabase(database);
    const db = createDb(database);
    onCleanup(() => db.$disconnect());
    const google = { clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: emulator.url };
    const keys = [{ id: "bench", key: randomBytes(32) }];
    const deps: AppDeps = {
      db,
      keys,
      vault: createTokenVault(keys),
      google: googleGateway(google),
      now: () => new Date(),
      publishingStatus: "production",
      dailySendLimit: 2000,
    };
    const userIds: string[] = [];
    for (const email of emails) {
      const { tokens } = await connect(emulator.url, { account: email, prompt: "consent" });
      const userId = (await db.user.create({ data: { email } })).id;
      await linkGoogleAccount({ ...tokens, providerAccountId: email, userId, type: "oidc", provider: "google" }, deps);
      userIds.push(userId);
    }

    const workers: RefreshWorker[] = await Promise.all(
      Array.from({ length: Math.max(...PROCESSES) }, () => startRefreshWorker({ database, keys, google })),
    );
    onCleanup(async () => void (await Promise.all(workers.map((worker) => worker.close()))));
    report.workerStartupMs.push(...workers.map((worker) => Math.round(worker.startupMs)));

    const round = async (processes: number, callers: number, mode: RefreshRound["mode"]) => {
      const startAt = Date.now() + START_DELAY_MS;
      const results = await Promise.all(
        workers.slice(0, processes).map((worker) => worker.run({ userIds, callers, mode, startAt })),
      );
      return results.flat();
    };
    const expireAll = () =>
      db.account.updateMany({
        data: { expires_at: Math.floor(Date.now() / 1000) - 60, refreshLeaseId: null, refreshLeaseUntil: null },
      });

    // Warm-up, not measured: each worker's first queries and first Google call.
    for (const mode of MODES) {
      await expireAll();
      await round(workers.length, 1, mode);
    }
    log(
      `${database.provider}: ${ACCOUNTS} accounts; ${workers.length} workers ready in ${workers.map((worker) => Math.round(worker.startupMs)).join(", ")} ms (node --import tsx, database connected)`,
    );

    const expiry = async (processes: number, callers: number, mode: RefreshRound["mode"]) => {
      await expireAll();
      const issuedBefore = await issuedPerAccount(control, emails);
      const callsBefore = (await control.calls()).token ?? 0;
      const results = await round(processes, callers, mode);
      const issuedAfter = await issuedPerAccount(control, emails);
      const perAccount = emails.map((email) => issuedAfter.get(email)! - issuedBefore.get(email)!);
      const tokenCalls = ((await control.calls()).token ?? 0) - callsBefore;
      const issued = perAccount.reduce((sum, count) => sum + count, 0);
      if (issued !== tokenCalls) log(`  note: ${tokenCalls} token calls but ${issued} access tokens issued`);
      // The same callers again at once, the token now fresh: getAccessToken without a refresh.
      const fresh = mode === "getAccessToken" ? await round(processes, callers, mode) : [];
      return { results, perAccount, tokenCalls, fresh };
    };

    for (const processes of PROCESSES) {
      for (const callers of CALLERS) {
        for (const mode of MODES) {
          const started = performance.now();
          const rounds = Math.min(MAX_ROUNDS, Math.ceil(MIN_SAMPLES / (ACCOUNTS * callers * processes)));
          const expiries = [];
          for (let i = 0; i < rounds; i++) expiries.push(await expiry(processes, callers, mode));
          const results = expiries.flatMap((one) => one.results);
          const perAccount = expiries.flatMap((one) => one.perAccount);
          const fresh = expiries.flatMap((one) => one.fresh);
          report.rows.push({
            database: database.provider,
            processes,
            callers,
            mode,
            rounds,
            calls: results.length,
            errors: results.filter((result) => result.error).length,
            tokenCalls: expiries.reduce((sum, one) => sum + one.tokenCalls, 0),
            tokenCallsPerAccount: { min: Math.min(...perAccount), max: Math.max(...perAccount) },
            ...latencies(results),
            ...(fresh.length > 0 ? { freshP50Ms: latencies(fresh).p50Ms } : {}),
          });
          log(
            `  ${database.provider}, ${processes} process(es), ${callers} caller(s) per account, ${mode}, ${rounds} round(s): ${Math.round(performance.now() - started)} ms`,
          );
        }
      }
    }
  }
  return report;
}

async function issuedPerAccount(control: EmulatorControl, emails: string[]): Promise<Map<string, number>> {
  const { accessTokens } = await control.tokens();
  return new Map(emails.map((email) => [email, accessTokens.filter((token) => token.user === email).length]));
}

function latencies(results: CallResult[]): { p50Ms: number; p95Ms: number } {
  const sorted = results.map((result) => result.ms).sort((a, b) => a - b);
  const round1 = (ms: number) => Math.round(ms * 10) / 10;
  return { p50Ms: round1(percentile(sorted, 50)), p95Ms: round1(percentile(sorted, 95)) };
}

const COLUMNS = [
  ["database", 10],
  ["procs", 5],
  ["callers", 7],
  ["mode", 14],
  ["rounds", 6],
  ["calls", 5],
  ["errors", 6],
  ["token calls/account", 19],
  ["p50 ms", 7],
  ["p95 ms", 7],
  ["fresh p50 ms", 12],
] as const;

/** The report as a plain-text table, one row per round. */
export function formatTokenTable(report: TokenBenchReport): string {
  const header = [
    COLUMNS.map(([name, width]) => name.padEnd(width)).join("  "),
    COLUMNS.map(([, width]) => "-".repeat(width)).join("  "),
  ];
  return [...header, ...report.rows.map(formatRow)].join("\n");
}

function formatRow(row: TokenBenchRow): string {
  const { min, max } = row.tokenCallsPerAccount;
  const cells = [
    row.database,
    String(row.processes),
    String(row.callers),
    row.mode,
    String(row.rounds),
    String(row.calls),
    String(row.errors),
    min === max ? String(min) : `${min}–${max}`,
    row.p50Ms.toFixed(1),
    row.p95Ms.toFixed(1),
    row.freshP50Ms === undefined ? "–" : row.freshP50Ms.toFixed(1),
  ];
  return cells
    .map((cell, i) => {
      const width = COLUMNS[i]![1];
      return i < 4 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join("  ");
}
