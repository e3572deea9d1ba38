import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Env } from "@/lib/platform/env";
import { findPostgresBinaries, startTemporaryPostgres } from "@/test-support/postgres-server";

/**
 * The databases a bench part runs on: a fresh SQLite file in a temporary folder, and a temporary
 * PostgreSQL server when its binaries are installed (its version goes in the report; without them the
 * report says why it was skipped). Both are removed by `onCleanup`.
 */
export async function benchDatabases(
  name: string,
  report: { postgres?: string; skipped: string[] },
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<Array<Env["database"]>> {
  const sqliteDir = mkdtempSync(path.join(tmpdir(), `evergreen-bench-${name}-`));
  onCleanup(async () => rmSync(sqliteDir, { recursive: true, force: true }));
  const databases: Array<Env["database"]> = [{ provider: "sqlite", url: `file:${path.join(sqliteDir, `${name}.db`)}` }];
  if (findPostgresBinaries()) {
    const server = await startTemporaryPostgres();
    onCleanup(async () => server.stop());
    report.postgres = server.version;
    databases.push({ provider: "postgresql", url: server.url });
  } else report.skipped.push("PostgreSQL: binaries (initdb, pg_ctl) not installed; `apt-get install -y postgresql`");
  return databases;
}
