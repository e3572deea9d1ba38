import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findPostgresBinaries } from "@/test-support/postgres-server";
import { checkMigrationName, MigrationRefused, migrationTimestamp } from "./db-migration";

const SCRIPT = path.resolve("scripts/db-migration.ts");
const NOTE_MODEL = `
model Note {
  id        String   @id @default(cuid())
  body      String
  createdAt DateTime @default(now())
}
`;

describe("checkMigrationName", () => {
  it("accepts a snake_case name", () => {
    expect(checkMigrationName(["add_contacts"])).toBe("add_contacts");
  });

  it("refuses a missing, split or malformed name, suggesting one", () => {
    expect(() => checkMigrationName([])).toThrow(/A migration name is required/);
    expect(() => checkMigrationName(["add", "contacts"])).toThrow(/One migration name/);
    expect(() => checkMigrationName(["Add Contacts!"])).toThrow(/not a migration name.*for example add_contacts/);
    expect(() => checkMigrationName(["../escape"])).toThrow(MigrationRefused);
    expect(() => checkMigrationName(["a".repeat(81)])).toThrow(MigrationRefused);
  });
});

describe("migrationTimestamp", () => {
  const existing = ["20261126080000_init", "20261126110000_connection_hardening", "migration_lock.toml"];

  it("is Prisma's UTC YYYYMMDDHHMMSS of now", () => {
    expect(migrationTimestamp(new Date("2026-12-01T09:05:07.900Z"), existing)).toBe("20261201090507");
  });

  it("stays after the latest migration when the clock is behind it", () => {
    expect(migrationTimestamp(new Date("2026-11-26T10:48:00Z"), existing)).toBe("20261126110001");
    expect(migrationTimestamp(new Date("2026-11-26T10:48:00Z"), ["20261231235959_last"])).toBe("20270101000000");
  });
});

// The command itself, end to end, on a copy of the project's prisma folder.
describe.skipIf(!findPostgresBinaries())("npm run db:migration", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  function copyProject(): string {
    root = mkdtempSync(path.join(tmpdir(), "evergreen-migration-"));
    for (const entry of ["prisma", "prisma.config.ts", "prisma.pg.config.ts", "package.json"])
      cpSync(entry, path.join(root, entry), { recursive: true });
    symlinkSync(path.resolve("node_modules"), path.join(root, "node_modules"));
    return root;
  }

  const migrationsIn = (dir: string, folder: string) =>
    readdirSync(path.join(dir, folder)).filter((name) => name !== "migration_lock.toml");
  const run = (dir: string, ...args: string[]) =>
    spawnSync("npx", ["tsx", SCRIPT, ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });

  it("writes one migration folder for each provider, under the same name, and regenerates both clients", () => {
    const dir = copyProject();
    const before = migrationsIn(dir, "prisma/migrations");
    appendFileSync(path.join(dir, "prisma/schema.prisma"), NOTE_MODEL);

    const result = run(dir, "add_note");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);

    const added = migrationsIn(dir, "prisma/migrations").filter((name) => !before.includes(name));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^\d{14}_add_note$/);
    expect(migrationsIn(dir, "prisma/pg/migrations")).toEqual(migrationsIn(dir, "prisma/migrations"));
    const sqlite = readFileSync(path.join(dir, "prisma/migrations", added[0]!, "migration.sql"), "utf8");
    const pg = readFileSync(path.join(dir, "prisma/pg/migrations", added[0]!, "migration.sql"), "utf8");
    expect(sqlite).toMatch(/^-- CreateTable\nCREATE TABLE "Note" \(\n {4}"id" TEXT NOT NULL PRIMARY KEY,/);
    expect(pg).toMatch(
      /^-- CreateTable\nCREATE TABLE "Note" \(\n {4}"id" TEXT NOT NULL,[\s\S]*CONSTRAINT "Note_pkey" PRIMARY KEY \("id"\)/,
    );
    expect(readFileSync(path.join(dir, "prisma/pg/schema.prisma"), "utf8")).toContain("model Note {");
    expect(existsSync(path.join(dir, "lib/generated/sqlite/models/Note.ts"))).toBe(true);
    expect(existsSync(path.join(dir, "lib/generated/pg/models/Note.ts"))).toBe(true);
  }, 120_000);

  it("refuses an unchanged schema and leaves nothing behind when PostgreSQL fails", () => {
    const dir = copyProject();
    const before = migrationsIn(dir, "prisma/migrations");

    const unchanged = run(dir, "nothing");
    expect(unchanged.status).toBe(1);
    expect(unchanged.stderr).toContain("No difference detected");

    // A committed PostgreSQL migration that no longer applies makes the PostgreSQL diff fail after SQLite's succeeded.
    appendFileSync(path.join(dir, "prisma/schema.prisma"), NOTE_MODEL);
    appendFileSync(path.join(dir, "prisma/pg/migrations", before.at(-1)!, "migration.sql"), "\nTHIS IS NOT SQL;\n");
    const failed = run(dir, "add_note");
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("prisma migrate diff failed for PostgreSQL");
    expect(migrationsIn(dir, "prisma/migrations")).toEqual(before);
    expect(migrationsIn(dir, "prisma/pg/migrations")).toEqual(before);
  }, 120_000);
});
