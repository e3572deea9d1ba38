import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { Env } from "./env";

/**
 * Applies the committed migrations with the database drivers themselves, so the app can create and
 * upgrade its own database at start-up without the Prisma CLI. It keeps Prisma's bookkeeping table
 * (same columns, same checksums), so `prisma migrate status` and `deploy` agree with it.
 */

type Migration = { name: string; sql: string; checksum: string };

// Prisma's own advisory-lock key for migrations, so this and the CLI never run at the same time.
const PRISMA_MIGRATE_LOCK = 72707369;

export function migrationsFolder(provider: Env["database"]["provider"], root = process.cwd()): string {
  return provider === "postgresql"
    ? path.join(root, "prisma", "pg", "migrations")
    : path.join(root, "prisma", "migrations");
}

export function readMigrations(folder: string): Migration[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(folder, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

function assertUnchanged(migration: Migration, appliedChecksum: string | undefined) {
  if (appliedChecksum !== undefined && appliedChecksum !== migration.checksum) {
    throw new Error(`Migration ${migration.name} was edited after it was applied; add a new migration instead.`);
  }
}

function migrateSqlite(url: string, migrations: Migration[]): string[] {
  const file = url.slice("file:".length);
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: 10_000 });
  try {
    // WAL lets the web server and the outbox worker read while the other writes.
    sqlite.pragma("journal_mode = WAL");
    sqlite.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    // PRAGMA foreign_keys is ignored inside a transaction, and Prisma's table redefinitions (copy, drop,
    // rename) would cascade-delete child rows with it on. Off for the run; checked before commit.
    sqlite.pragma("foreign_keys = OFF");
    const run = sqlite.transaction(() => {
      const applied = new Map(
        sqlite
          .prepare(
            `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          )
          .all()
          .map((row) => {
            const { migration_name, checksum } = row as { migration_name: string; checksum: string };
            return [migration_name, checksum] as const;
          }),
      );
      const done: string[] = [];
      for (const migration of migrations) {
        assertUnchanged(migration, applied.get(migration.name));
        if (applied.has(migration.name)) continue;
        sqlite.exec(migration.sql);
        sqlite
          .prepare(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
             VALUES (?, ?, current_timestamp, ?, current_timestamp, 1)`,
          )
          .run(randomUUID(), migration.checksum, migration.name);
        done.push(migration.name);
      }
      const violations = sqlite.pragma("foreign_key_check") as unknown[];
      if (violations.length > 0)
        throw new Error(`Migrations left ${violations.length} foreign-key violations; rolled back.`);
      return done;
    });
    return run.immediate();
  } finally {
    sqlite.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
      id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      "SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      assertUnchanged(migration, applied.get(migration.name));
      if (applied.has(migration.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** Brings the database up to the committed migrations; returns the names it applied. */
export async function migrateDatabase(database: Env["database"], root = process.cwd()): Promise<string[]> {
  const migrations = readMigrations(migrationsFolder(database.provider, root));
  return database.provider === "postgresql"
    ? migratePostgres(database.url, migrations)
    : migrateSqlite(database.url, migrations);
}
