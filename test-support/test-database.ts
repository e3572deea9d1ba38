import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb, type Db } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { Env } from "@/lib/platform/env";

/**
 * A fresh, migrated database for one test file. SQLite by default; the PostgreSQL lane
 * (scripts/test-pg.ts) sets EVERGREEN_TEST_POSTGRES_URL and each call then gets its own database
 * on that server, so the same tests prove both providers.
 */
export type TestDatabase = { db: Db; database: Env["database"]; drop(): Promise<void> };

export function testDatabaseProvider(): Env["database"]["provider"] {
  return process.env.EVERGREEN_TEST_POSTGRES_URL ? "postgresql" : "sqlite";
}

async function runOnServer(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function migrated(database: Env["database"], removeStorage: () => Promise<void>): Promise<TestDatabase> {
  await migrateDatabase(database);
  const db = createDb(database);
  return {
    db,
    database,
    async drop() {
      await db.$disconnect();
      await removeStorage();
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.EVERGREEN_TEST_POSTGRES_URL;
  if (serverUrl) {
    const name = `test_${randomBytes(6).toString("hex")}`;
    await runOnServer(serverUrl, `CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return migrated({ provider: "postgresql", url: url.toString() }, () =>
      runOnServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), "evergreen-db-"));
  return migrated({ provider: "sqlite", url: `file:${path.join(dir, "test.db")}` }, async () =>
    rmSync(dir, { recursive: true, force: true }),
  );
}
