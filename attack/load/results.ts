import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One row of a run's results: what was checked, whether it held, and what was measured. */
export type Check = { name: string; ok: boolean; detail: string };

/** Writes `{ checks, metrics }`, the shape scripts/test-all.ts reads. */
export function writeResults(file: string, checks: Check[], metrics: Record<string, unknown>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ checks, metrics }, null, 2)}\n`);
}

/** Runs a script's main and exits with its code; a crash is printed and written as one failed check named `ran`. */
export function exitWithResult(main: () => Promise<number>, file: string, ran: string): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${ran}: no. ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      writeResults(file, [{ name: ran, ok: false, detail: String(error) }], {});
      process.exit(1);
    },
  );
}
