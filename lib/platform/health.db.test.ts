import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, testDatabaseProvider, type TestDatabase } from "@/test-support/test-database";
import { createDb, type Db } from "./db";
import { migrationsFolder, readMigrations } from "./db-migrations";
import { healthResponse, liveness, readiness } from "./health";

let test: TestDatabase;
const newest = readMigrations(migrationsFolder(testDatabaseProvider())).at(-1)!.name;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test?.drop();
});
afterEach(() => vi.restoreAllMocks());

/** Runs `check` with one migration row changed by `change`, then puts the row back. */
async function withMigrationRow<T>(change: string, undo: string, check: () => Promise<T>): Promise<T> {
  await test.db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET ${change} WHERE migration_name = '${newest}'`);
  try {
    return await check();
  } finally {
    await test.db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET ${undo} WHERE migration_name = '${newest}'`);
  }
}

describe(`readiness on ${testDatabaseProvider()}`, () => {
  it("is ready when the database holds every committed migration", async () => {
    expect(await readiness(test.db)).toEqual({ status: "ok" });
  });

  it("is not ready while a committed migration is not applied, naming it and the command", async () => {
    const health = await withMigrationRow("finished_at = NULL", "finished_at = started_at", () => readiness(test.db));
    expect(health).toEqual({
      status: "not-ready",
      reason: `1 migration not applied (${newest}); run npm run db:deploy`,
    });
  });

  it("is not ready when an applied migration was edited since", async () => {
    const checksum = (
      await test.db.$queryRawUnsafe<Array<{ checksum: string }>>(
        `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = '${newest}'`,
      )
    )[0]!.checksum;
    const health = await withMigrationRow("checksum = 'edited'", `checksum = '${checksum}'`, () => readiness(test.db));
    expect(health).toEqual({
      status: "not-ready",
      reason: `migration ${newest} differs from the one the database applied`,
    });
  });

  it("stays ready beside a migration only a newer build has (a rolling deploy)", async () => {
    await test.db.$executeRawUnsafe(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       VALUES ('newer-build', 'x', CURRENT_TIMESTAMP, '29991231000000_from_a_newer_build', CURRENT_TIMESTAMP, 1)`,
    );
    try {
      expect(await readiness(test.db)).toEqual({ status: "ok" });
    } finally {
      await test.db.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE id = 'newer-build'`);
    }
  });
});

describe("readiness of databases it cannot use", () => {
  const opened: Db[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.$disconnect().catch(() => undefined);
  });

  it("is not ready on an empty database (MIGRATE_ON_START=false before npm run db:deploy)", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "evergreen-health-"));
    try {
      const db = createDb({ provider: "sqlite", url: `file:${path.join(folder, "empty.db")}` });
      opened.push(db);
      expect(await readiness(db)).toEqual({
        status: "not-ready",
        reason: "the database has no migrations applied; run npm run db:deploy",
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("is not ready when the database refuses connections, and keeps the driver's error out of the answer", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const db = createDb({ provider: "postgresql", url: "postgresql://evergreen:hunter2@127.0.0.1:1/evergreen" });
    opened.push(db);
    const health = await readiness(db);
    expect(health).toEqual({ status: "not-ready", reason: "the database does not answer" });
    expect(JSON.stringify(health)).not.toMatch(/hunter2|127\.0\.0\.1|ECONNREFUSED/);
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it("is not ready when the database accepts a connection but never answers", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const db = createDb({ provider: "postgresql", url: `postgresql://evergreen@127.0.0.1:${port}/evergreen` });
      opened.push(db);
      expect(await readiness(db, { timeoutMs: 200 })).toEqual({
        status: "not-ready",
        reason: "the database did not answer within 200 ms",
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("liveness", () => {
  const globalForDb = globalThis as unknown as { evergreenDb?: unknown };

  it("answers 200 from the route without touching the database", async () => {
    const saved = globalForDb.evergreenDb;
    globalForDb.evergreenDb = new Proxy(
      {},
      {
        get() {
          throw new Error("the liveness endpoint touched the database");
        },
      },
    );
    try {
      const { GET } = await import("@/app/api/health/live/route");
      const response = GET();
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok" });
      expect(liveness()).toEqual({ status: "ok" });
    } finally {
      globalForDb.evergreenDb = saved;
    }
  });
});

describe("the endpoints' answers", () => {
  it("are 200 when ok and 503 with the reason when not, never cached", async () => {
    const ok = healthResponse({ status: "ok" });
    const down = healthResponse({ status: "not-ready", reason: "the database does not answer" });
    expect([ok.status, down.status]).toEqual([200, 503]);
    expect(await down.json()).toEqual({ status: "not-ready", reason: "the database does not answer" });
    expect(down.headers.get("cache-control")).toBe("no-store");
  });
});
