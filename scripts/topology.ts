// Many servers on one PostgreSQL, run here (issue 22): compose.yaml's layout on loopback, nginx (deploy/nginx.conf)
// in front of two `next start` of one build, two `npm run worker`, a throwaway PostgreSQL and the local Google,
// and the seven checks of the issue against the running processes. Prints a table, writes
// test-results/topology.json, exits 0 only if every check passes. Run: `npx tsx scripts/topology.ts [--seconds 40]`.
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Client } from "pg";
import { holdE2eLock } from "@/attack/load/lock";
import { loadSize, runLoadTest } from "@/attack/load/load-run";
import { AppSession } from "@/attack/load/session";
import { exitWithResult, writeResults, type Check } from "@/attack/load/results";
import { ensureBuild, stopOnExit } from "@/attack/load/stack";
import { formatTable } from "@/attack/load/stats";
import { EmulatorControl } from "@/google-emulator/control/client";
import { dropIdleConnectionsEarly } from "@/test-support/http-keep-alive";
import { loadServerActions } from "@/test-support/server-actions";
import { runCheck, type Context } from "./topology/app-client";
import { Cluster, PORTS, waitForHttp } from "./topology/cluster";
import { actionAcrossServers, sessionsAndLimits, signInOnServerA } from "./topology/cross-server";
import { sigtermDrains } from "./topology/drain";
import { startAllAtOnce } from "./topology/first-start";
import { requireNginx } from "./topology/nginx";
import { oneRefreshPerAccount } from "./topology/one-refresh";
import { killWorkerMidSend } from "./topology/worker-kill";

const RESULTS_FILE = path.join("test-results", "topology.json");
const LOG_FILE = path.join("test-results", "topology-servers.log");

const CHECKS = {
  migrate: "concurrent first starts migrate once",
  action: "a server action rendered by one server is accepted by the other",
  session: "sessions and rate limits hold across servers",
  refresh: "one refresh per account across all four processes",
  kill: "a worker SIGKILLed mid-send leaves its message unknown or requeued, never sent twice",
  drain: "SIGTERM drains in-flight requests and work within 10 s",
  load: "the 50-user load test through nginx: 0 5xx, 0 network errors, every message exactly once",
} as const;

/** The load test's users, each from a loopback address of its own, as nginx sees distinct clients. */
const loadAddress = (index: number) => `127.1.${Math.floor(index / 250)}.${(index % 250) + 1}`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { users: { type: "string", default: "50" }, seconds: { type: "string", default: "40" } },
  });
  const { users, seconds } = loadSize(values);
  requireNginx();
  await holdE2eLock();
  dropIdleConnectionsEarly();
  const started = performance.now();

  const cluster = new Cluster(LOG_FILE);
  stopOnExit(cluster);

  const postgresVersion = await cluster.startPostgres();
  const buildLog = createWriteStream(path.join("test-results", "topology-build.log"));
  ensureBuild(false, cluster.environment("app"), buildLog);
  buildLog.end();
  const google = cluster.startEmulator();
  await waitForHttp(`${cluster.emulatorUrl}/.well-known/openid-configuration`, google, 60_000);
  console.log(
    `Topology: nginx ${cluster.url} → ${cluster.appUrls.join(", ")}, 2 workers, ${postgresVersion}, local Google ${cluster.emulatorUrl}; logs in ${LOG_FILE}`,
  );

  const db = new Client({ connectionString: cluster.databaseUrl });
  await db.connect();
  const checks: Check[] = [];
  const record = (check: Check) => {
    checks.push(check);
    console.log(`  ${check.ok ? "PASS" : "FAIL"}  ${check.name}: ${check.detail}`);
  };

  record(await runCheck(CHECKS.migrate, () => startAllAtOnce(cluster, db)));
  const ctx: Context = {
    cluster,
    db,
    control: new EmulatorControl(cluster.emulatorUrl),
    actions: await loadServerActions(),
  };
  // Awaited by the first check at once: a sign-in that fails fails both checks, with its reason.
  const onA = signInOnServerA(ctx);
  record(await runCheck(CHECKS.action, async () => actionAcrossServers(ctx, await onA)));
  record(await runCheck(CHECKS.session, async () => sessionsAndLimits(ctx, await onA)));

  let loadMetrics: Record<string, unknown> = {};
  record(
    await runCheck(CHECKS.load, async () => {
      const report = await runLoadTest({
        emulatorUrl: cluster.emulatorUrl,
        databaseUrl: cluster.databaseUrl,
        users,
        seconds,
        sessionFor: (index) => new AppSession(cluster.url, loadAddress(index), { localAddress: loadAddress(index) }),
        seed: () => {
          const result = spawnSync("npx", ["tsx", "scripts/seed.ts", "--production"], {
            env: { ...process.env, ...cluster.environment("worker") },
            encoding: "utf8",
          });
          if (result.status !== 0)
            throw new Error(`scripts/seed.ts failed: ${`${result.stdout}${result.stderr}`.slice(-2000)}`);
        },
      });
      loadMetrics = { ...report.metrics, checks: report.checks };
      console.log(`\n${report.summary}\n`);
      const failed = report.checks.filter((check) => !check.ok);
      const sends = report.metrics.sends as { accepted: number; arrivedOnce: number; arrivedMoreThanOnce: number };
      return {
        ok: failed.length === 0,
        detail:
          `${users} users for ${seconds} s through nginx: ${String(report.metrics.requests)} requests, ${String(report.metrics.serverErrors)} 5xx, ` +
          `${String(report.metrics.networkErrors)} network errors; ${sends.accepted} messages accepted, ${sends.arrivedOnce} arrived once, ` +
          `${sends.arrivedMoreThanOnce} more than once` +
          (failed.length > 0 ? `; failed: ${failed.map((check) => `${check.name} (${check.detail})`).join("; ")}` : ""),
      };
    }),
  );
  record(await runCheck(CHECKS.refresh, () => oneRefreshPerAccount(ctx)));
  record(await runCheck(CHECKS.kill, () => killWorkerMidSend(ctx)));
  record(await runCheck(CHECKS.drain, () => sigtermDrains(ctx)));
  await db.end();

  const order = Object.values(CHECKS) as string[];
  checks.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const wallSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const metrics = { wallSeconds, postgres: postgresVersion, ports: PORTS, load: loadMetrics };
  console.log("");
  console.log(formatTable([["check", "result"], ...checks.map((check) => [check.name, check.ok ? "PASS" : "FAIL"])]));
  console.log(`\n${checks.filter((check) => check.ok).length} of ${checks.length} checks passed in ${wallSeconds} s.`);
  writeResults(RESULTS_FILE, checks, metrics);
  console.log(`Wrote ${RESULTS_FILE}.`);
  return checks.length === order.length && checks.every((check) => check.ok) ? 0 : 1;
}

exitWithResult(main, RESULTS_FILE, "the topology ran");
