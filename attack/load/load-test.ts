// The load test of issue 12: 50 signed-in users browse and send for 60 seconds against a production
// build on PostgreSQL, then every accepted message is counted at the local Google. Passes with zero
// 5xx, zero network errors, and every accepted message delivered exactly once; prints a table and
// writes test-results/load-test.json. Run: `npx tsx attack/load/load-test.ts [--users 50] [--seconds 60] [--build]`.
// The run and its checks are load-run.ts's, which the topology (scripts/topology.ts) runs through nginx.
import path from "node:path";
import { parseArgs } from "node:util";
import { dropIdleConnectionsEarly } from "@/test-support/http-keep-alive";
import { holdE2eLock } from "./lock";
import { loadSize, runLoadTest } from "./load-run";
import { exitWithResult, writeResults } from "./results";
import { AppSession } from "./session";
import { runScript, Stack, stopOnExit } from "./stack";

const APP_PORT = 3300;
const EMULATOR_PORT = 4310;
const RESULTS_FILE = path.join("test-results", "load-test.json");
const LOG_FILE = path.join("test-results", "load-test-servers.log");

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      users: { type: "string", default: "50" },
      seconds: { type: "string", default: "60" },
      build: { type: "boolean", default: false },
    },
  });
  const { users, seconds } = loadSize(values);
  await holdE2eLock();
  dropIdleConnectionsEarly();

  console.log(`Load test: ${users} users for ${seconds} s against a production build on PostgreSQL`);
  const servers = new Stack({
    appPort: APP_PORT,
    emulatorPort: EMULATOR_PORT,
    logFile: LOG_FILE,
    rebuild: values.build,
  });
  stopOnExit(servers);

  const stack = await servers.start();
  const { appUrl, emulatorUrl } = stack;
  console.log(`  ${stack.postgresVersion}; app ${appUrl}; local Google ${emulatorUrl}; logs in ${LOG_FILE}`);
  const report = await runLoadTest({
    emulatorUrl,
    databaseUrl: stack.databaseUrl,
    users,
    seconds,
    // A distinct client address each: sign-ins are limited per address.
    sessionFor: (index) => new AppSession(appUrl, `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}`),
    seed: () => runScript(stack, "scripts/seed.ts", ["--production"]),
  });
  const { checks } = report;
  const metrics = { ...report.metrics, postgres: stack.postgresVersion };

  console.log("");
  console.log(report.summary);
  console.log("");
  for (const check of checks) console.log(`${check.ok ? "PASS" : "FAIL"}  ${check.name}: ${check.detail}`);

  writeResults(RESULTS_FILE, checks, metrics);
  console.log(`\nWrote ${RESULTS_FILE}.`);
  return checks.every((check) => check.ok) ? 0 : 1;
}

exitWithResult(main, RESULTS_FILE, "the load test ran");
