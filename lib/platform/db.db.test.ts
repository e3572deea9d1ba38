import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseProvider, type TestDatabase } from "@/test-support/test-database";
import { migrateDatabase } from "./db-migrations";

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test?.drop();
});

describe(`the database on ${testDatabaseProvider()}`, () => {
  it("is created and migrated from the committed migrations", async () => {
    const rows = await test.db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toContain("20261126080000_init");
  });

  it("migrates idempotently: a second run applies nothing", async () => {
    expect(await migrateDatabase(test.database)).toEqual([]);
  });

  it("keeps a write made outside a transaction out of another one that is open: it survives that one's rollback", async () => {
    await test.db.user.create({ data: { email: "outside@evergreen.test" } });
    let inside!: () => void;
    const insideTransaction = new Promise<void>((resolve) => (inside = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const rolledBack = test.db
      .$transaction(async (tx) => {
        await tx.user.create({ data: { email: "rolled-back@evergreen.test" } });
        inside();
        await released;
        throw new Error("roll it back");
      })
      .catch((error: Error) => error.message);
    await insideTransaction;
    // Sent now, while the transaction is open (Prisma's queries start only when awaited). On SQLite's one
    // connection it waits for the transaction to end (lib/platform/sqlite-gate.ts); it would run inside it.
    const outside = (async () =>
      await test.db
        .$executeRaw`UPDATE "User" SET "name" = 'written outside' WHERE "email" = 'outside@evergreen.test'`)();
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    expect(await rolledBack).toBe("roll it back");
    expect(await outside).toBe(1);
    expect(await test.db.user.count({ where: { email: "rolled-back@evergreen.test" } })).toBe(0);
    expect((await test.db.user.findUnique({ where: { email: "outside@evergreen.test" } }))?.name).toBe(
      "written outside",
    );
  });

  it("stores the Auth.js models with their relations", async () => {
    const user = await test.db.user.create({
      data: {
        email: "ada@evergreen.test",
        name: "Ada Lovelace",
        accounts: { create: { type: "oidc", provider: "google", providerAccountId: "1001" } },
        sessions: { create: { sessionToken: "session-1", expires: new Date(Date.now() + 60_000) } },
      },
      include: { accounts: true, sessions: true },
    });
    expect(user.accounts).toHaveLength(1);
    expect(user.sessions[0]!.sessionToken).toBe("session-1");
  });

  it("keeps one Google account per Google subject", async () => {
    const other = await test.db.user.create({ data: { email: "grace@evergreen.test" } });
    await expect(
      test.db.account.create({
        data: { userId: other.id, type: "oidc", provider: "google", providerAccountId: "1001" },
      }),
    ).rejects.toThrow(/Unique constraint/);
  });

  it("never loads token columns unless a query names them", async () => {
    const account = await test.db.account.findFirstOrThrow({ where: { providerAccountId: "1001" } });
    expect(account).not.toHaveProperty("refresh_token");
    expect(account).not.toHaveProperty("access_token");
    const withToken = await test.db.account.findFirstOrThrow({
      where: { providerAccountId: "1001" },
      select: { refresh_token: true },
    });
    expect(withToken).toEqual({ refresh_token: null });
  });

  it("deletes a user's accounts and sessions with the user", async () => {
    await test.db.user.delete({ where: { email: "ada@evergreen.test" } });
    expect(await test.db.account.count({ where: { providerAccountId: "1001" } })).toBe(0);
    expect(await test.db.session.count()).toBe(0);
  });

  it("round-trips UTF-8 and dates exactly", async () => {
    const when = new Date("2026-11-26T08:00:00.123Z");
    const user = await test.db.user.create({ data: { name: "Grüße – 日本語 ✓", emailVerified: when } });
    const read = await test.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(read.name).toBe("Grüße – 日本語 ✓");
    expect(read.emailVerified?.toISOString()).toBe(when.toISOString());
  });
});
