import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseProvider } from "@/test-support/test-database";

const run = promisify(execFile);
const provider = testDatabaseProvider();

// Each provider has its own migrations folder; both must describe exactly the schema's models.
const target =
  provider === "postgresql"
    ? { config: "prisma.pg.config.ts", migrations: "prisma/pg/migrations", schema: "prisma/pg/schema.prisma" }
    : { config: "prisma.config.ts", migrations: "prisma/migrations", schema: "prisma/schema.prisma" };

describe(`committed migrations on ${provider}`, () => {
  it("match the Prisma schema (no drift)", async () => {
    const { stdout } = await run(
      "npx",
      [
        "prisma",
        "migrate",
        "diff",
        "--config",
        target.config,
        "--from-migrations",
        target.migrations,
        "--to-schema-datamodel",
        target.schema,
        "--exit-code",
      ],
      // The PostgreSQL config builds its shadow database on the lane's server.
      { env: { ...process.env, PG_DATABASE_URL: process.env.EVERGREEN_TEST_POSTGRES_URL, CHECKPOINT_DISABLE: "1" } },
    );
    expect(stdout).toContain("No difference detected");
  }, 60_000);

  it("come from one model definition: the PostgreSQL schema is generated from the SQLite one", async () => {
    const { stdout } = await run("node", ["scripts/gen-pg-schema.mjs", "--check"]);
    expect(stdout).toContain("matches");
  });
});

describe(`the app's own migrator on ${provider}`, () => {
  it("leaves Prisma's bookkeeping exactly as `prisma migrate deploy` would", async () => {
    const test = await createTestDatabase();
    try {
      const urlVariable = provider === "postgresql" ? "PG_DATABASE_URL" : "DATABASE_URL";
      const { stdout } = await run("npx", ["prisma", "migrate", "status", "--config", target.config], {
        env: { ...process.env, [urlVariable]: test.database.url, CHECKPOINT_DISABLE: "1" },
      });
      expect(stdout).toContain("Database schema is up to date!");
    } finally {
      await test.drop();
    }
  }, 60_000);
});
