// The `audit` step of `npm test`: `npm audit` of the production dependencies, judged by
// scripts/audit-policy.ts. Writes test-results/audit.json ({ passed, failed, skipped }) for the total.
// When the registry offers no audit service (some mirrors answer 405), the step is skipped and says so;
// AUDIT_REQUIRED=true makes that a failure instead.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isValidException, judgeAudit, type NpmAuditReport } from "./audit-policy";

const EXCEPTIONS_FILE = "scripts/audit-exceptions.json";

function report(counts: { passed: number; failed: number; skipped: number }): never {
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/audit.json", JSON.stringify(counts));
  process.exit(counts.failed > 0 ? 1 : 0);
}

const exceptions: unknown = JSON.parse(readFileSync(EXCEPTIONS_FILE, "utf8"));
if (!Array.isArray(exceptions) || !exceptions.every(isValidException)) {
  console.error(`${EXCEPTIONS_FILE}: each entry needs package, advisory (its URL), a reason and revisit (YYYY-MM-DD).`);
  report({ passed: 0, failed: 1, skipped: 0 });
}

const run = spawnSync("npm", ["audit", "--omit=dev", "--json"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
let parsed: NpmAuditReport;
try {
  parsed = JSON.parse(run.stdout) as NpmAuditReport;
} catch {
  parsed = { message: (run.stderr || run.stdout).trim().split("\n").at(-1) };
}
const verdict = judgeAudit(parsed, exceptions, new Date().toISOString().slice(0, 10));

if (verdict.kind === "unavailable") {
  const required = process.env.AUDIT_REQUIRED === "true";
  console.log(`npm audit: ${required ? "FAILED" : "SKIPPED"}: the registry gave no audit report (${verdict.reason}).`);
  report(required ? { passed: 0, failed: 1, skipped: 0 } : { passed: 0, failed: 0, skipped: 1 });
}

for (const finding of verdict.excepted)
  console.log(`npm audit: excepted ${finding.severity} ${finding.package}: ${finding.advisory} (${EXCEPTIONS_FILE})`);
for (const finding of verdict.blocking)
  console.error(`npm audit: ${finding.severity} in ${finding.package}: ${finding.title} ${finding.advisory}`);
for (const exception of verdict.expired)
  console.error(
    `npm audit: the exception for ${exception.package} (${exception.advisory}) was due for review on ${exception.revisit}.`,
  );
const failed = verdict.blocking.length + verdict.expired.length;
console.log(failed === 0 ? "npm audit: no high or critical advisory in production dependencies." : "");
report({ passed: failed === 0 ? 1 : 0, failed, skipped: 0 });
