import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { createTokenVault, keyIdOf } from "@/lib/connection/token-crypto";
import { rotateTokenEncryption } from "@/lib/connection/token-rotation";
import { createDb } from "@/lib/platform/db";
import { findPostgresBinaries } from "@/test-support/postgres-server";
import type { Installation } from "./installation";
import type { Ledger } from "./ledger";

/** What an operator does mid-run: rotate the token key, restart the database. */

/** A new key first, every token re-sealed (npm run tokens:rotate), then the old key dropped. */
export async function rotateKeys(installations: Installation[], ledger: Ledger, log: (line: string) => void) {
  const next = { id: "soak-2", key: randomBytes(32) };
  for (const installation of installations) {
    const { deps } = installation;
    deps.keys = [next, ...deps.keys];
    deps.vault = createTokenVault(deps.keys);
    const report = await rotateTokenEncryption(deps);
    deps.keys = [next];
    deps.vault = createTokenVault(deps.keys);
    const rows = await deps.db.account.findMany({
      select: { access_token: true, refresh_token: true, id_token: true },
    });
    const old = rows
      .flatMap((row) => [row.access_token, row.refresh_token, row.id_token])
      .filter((value) => value && keyIdOf(value) !== next.id);
    ledger.rotations.push({
      installation: installation.name,
      rewritten: report.rewritten,
      unreadable: report.unreadable.length,
      leftOnOldKey: old.length,
    });
  }
  log(
    `keys rotated: ${ledger.rotations.map((r) => `${r.installation} ${r.rewritten} re-sealed, ${r.leftOnOldKey} left on the old key`).join("; ")}`,
  );
}

/**
 * SQLite: the client is closed and a new one opened on the same file (a process restart's worth).
 * PostgreSQL: the server stops as a crash would and starts again; the app keeps its clients.
 */
export async function restartDatabase(installations: Installation[], postgresUrl: string | undefined) {
  if (postgresUrl) return restartPostgres(postgresUrl);
  for (const installation of installations) {
    await installation.deps.db.$disconnect();
    installation.deps.db = createDb(installation.database);
  }
}

async function restartPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const data = (await client.query<{ data_directory: string }>("SHOW data_directory")).rows[0]!.data_directory;
  await client.end();
  const pgCtl = path.join(findPostgresBinaries()!, "pg_ctl");
  const args = ["-D", data, "-l", path.join(data, "..", "restart.log"), "-m", "immediate", "-w", "restart"];
  // PostgreSQL refuses to run as root: startTemporaryPostgres runs it as nobody, and so does this.
  const result =
    process.getuid?.() === 0
      ? spawnSync("su", ["nobody", "-s", "/bin/sh", "-c", [pgCtl, ...args].map((arg) => `'${arg}'`).join(" ")], {
          encoding: "utf8",
        })
      : spawnSync(pgCtl, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`pg_ctl restart failed:\n${result.stdout}\n${result.stderr}`);
}

/** Nothing due, held or in flight in either installation. */
export async function nothingPending(installations: Installation[]) {
  for (const { deps } of installations) {
    const open = await deps.db.message.count({
      where: { status: { in: ["QUEUED", "SCHEDULED", "SENDING", "WAITING_FOR_RECONNECT"] } },
    });
    const merges = await deps.db.merge.count({ where: { status: "RUNNING" } });
    const enrolments = await deps.db.sequenceEnrolment.count({ where: { state: "ACTIVE" } });
    if (open + merges + enrolments > 0) return false;
  }
  return true;
}
