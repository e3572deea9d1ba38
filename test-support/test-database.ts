import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb, type Db } from "@/lib/db";
import { migrateDatabase } from "@/lib/db-migrations";
import type { Env } from "@/lib/env";

/**
 * A fresh, migrated database for one test file. SQLite by default; the PostgreSQL lane
 * (scripts/test-pg.ts) sets EVERGREEN_TEST_POSTGRES_URL and each call then gets its own database
 * on that server, so the same tests prove both providers.
 */
export type TestDatabase = { db: Db; database: Env["database"]; drop(): Promise<void> };

export function testDatabaseProvider(): Env["database"]["provider"] {
  return process.env.EVERGREEN_TEST_POSTGRES_URL ? "postgresql" : "sqlite";
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.EVERGREEN_TEST_POSTGRES_URL;
  if (serverUrl) {
    const name = `test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const database = { provider: "postgresql" as const, url: url.toString() };
    await migrateDatabase(database);
    const db = createDb(database);
    return {
      db,
      database,
      async drop() {
        await db.$disconnect();
        const cleanup = new pg.Client({ connectionString: serverUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "evergreen-db-"));
  const database = { provider: "sqlite" as const, url: `file:${path.join(dir, "test.db")}` };
  await migrateDatabase(database);
  const db = createDb(database);
  return {
    db,
    database,
    async drop() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
