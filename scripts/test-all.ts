// `npm test`: everything a contributor must pass, in order — schema check, lint, typecheck, the
// dependency audit, unit and integration tests (SQLite), the PostgreSQL lane, the end-to-end tests in
// Chromium, the attack suite's heavy variants, the short soak (weeks of simulated use against the local
// Google), then the topology run (nginx, two app servers, two workers, PostgreSQL, with the 50-user load
// test through nginx; `npm run test:attack` runs the attack and topology steps).
// Every step runs even after a failure, so one run shows every problem; the last line totals them for
// CI. `npm test -- --only e2e` (or schema, format, lint, typecheck, audit, unit, pg, attack, soak, topology;
// comma-separated for several) runs the steps with those ids.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

type Counts = { passed: number; failed: number; skipped: number };
type Step = {
  id: string;
  name: string;
  command: string[];
  env?: Record<string, string>;
  report?: string;
  count?: (report: string) => Counts;
};

const RESULTS = "test-results";

function vitestCounts(file: string): Counts {
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

function playwrightCounts(file: string): Counts {
  const { stats } = JSON.parse(readFileSync(file, "utf8")) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  // A test that passed only on retry is reported, but not counted as a pass.
  return { passed: stats.expected, failed: stats.unexpected + stats.flaky, skipped: stats.skipped };
}

// Steps that are no test runner write { passed, failed, skipped } themselves (scripts/audit.ts).
function countsFile(file: string): Counts {
  return JSON.parse(readFileSync(file, "utf8")) as Counts;
}

/** The topology, load and soak runs write { checks: [{ ok }] }: each check counts as a test. */
function checksCounts(file: string): Counts {
  const { checks } = JSON.parse(readFileSync(file, "utf8")) as { checks: Array<{ ok: boolean }> };
  const passed = checks.filter((check) => check.ok).length;
  return { passed, failed: checks.length - passed, skipped: 0 };
}

const vitestJson = (name: string) => [
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${RESULTS}/${name}.json`,
];

const steps: Step[] = [
  {
    id: "schema",
    name: "schema: PostgreSQL schema generated from the SQLite one",
    command: ["node", "scripts/gen-pg-schema.mjs", "--check"],
  },
  { id: "format", name: "format: Prettier check", command: ["npm", "run", "format:check"] },
  { id: "lint", name: "lint", command: ["npm", "run", "lint"] },
  { id: "typecheck", name: "typecheck", command: ["npm", "run", "typecheck"] },
  {
    id: "audit",
    name: "audit: no high or critical advisory in production dependencies",
    command: ["npx", "tsx", "scripts/audit.ts"],
    report: "audit.json",
    count: countsFile,
  },
  {
    id: "unit",
    name: "unit: Vitest on SQLite",
    // The attack suite runs once, at heavy scale, in its own step below.
    command: ["npx", "vitest", "run", "--exclude", "attack/**", ...vitestJson("vitest-sqlite")],
    report: "vitest-sqlite.json",
    count: vitestCounts,
  },
  {
    id: "pg",
    name: "pg: the database tests on PostgreSQL",
    command: ["npx", "tsx", "scripts/test-pg.ts", ...vitestJson("vitest-pg")],
    report: "vitest-pg.json",
    count: vitestCounts,
  },
  {
    id: "e2e",
    name: "e2e: Playwright in Chromium",
    command: ["npx", "playwright", "test", "--reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_FILE: `${RESULTS}/playwright.json` },
    report: "playwright.json",
    count: playwrightCounts,
  },
  {
    id: "attack",
    name: "attack: the attack suite's heavy variants (ATTACK_SCALE=heavy)",
    command: ["npx", "vitest", "run", "attack/", ...vitestJson("vitest-attack")],
    env: { ATTACK_SCALE: "heavy" },
    report: "vitest-attack.json",
    count: vitestCounts,
  },
  {
    id: "soak",
    name: "soak: three simulated weeks of 20 accounts against the local Google, every kind of fault (npm run soak: six months)",
    command: ["npx", "tsx", "scripts/soak.ts", "--short"],
    report: "soak.json",
    count: checksCounts,
  },
  {
    id: "topology",
    name: "topology: nginx, two app servers and two workers on one PostgreSQL, with the 50-user load test through nginx",
    command: ["npx", "tsx", "scripts/topology.ts", "--seconds", "60"],
    report: "topology.json",
    count: checksCounts,
  },
];

const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex >= 0 ? (process.argv[onlyIndex + 1] ?? "").toLowerCase().split(",").filter(Boolean) : undefined;
const unknown = only?.filter((id) => !steps.some((step) => step.id === id)) ?? [];
if (only && (only.length === 0 || unknown.length > 0)) {
  console.error(`Unknown test step "${unknown.join(",")}". Step ids: ${steps.map((step) => step.id).join(", ")}`);
  process.exit(2);
}
const selected = only ? steps.filter((step) => only.includes(step.id)) : steps;

rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const summary: string[] = [];

for (const step of selected) {
  console.log(`\n━━ ${step.name} ━━`);
  const started = Date.now();
  const result = spawnSync(step.command[0]!, step.command.slice(1), {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1", ...step.env },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const reportFile = step.report && path.join(RESULTS, step.report);
  let counts: Counts;
  if (step.count && reportFile && existsSync(reportFile)) {
    counts = step.count(reportFile);
    // A runner that crashed after writing its report still fails the step.
    if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  } else {
    // Checks without a report (lint, typecheck…) count as one test each; so does a runner that never reported.
    counts = result.status === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  }
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  summary.push(
    `${counts.failed === 0 ? "ok  " : "FAIL"} ${step.name}: ${counts.passed} passed, ${counts.failed} failed (${seconds}s)`,
  );
}

console.log(`\n━━ summary ━━\n${summary.join("\n")}\n`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed === 0 ? 0 : 1);
