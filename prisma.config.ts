import "./prisma/cli/timers";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { MigrateSafeSQLite } from "./prisma/cli/sqlite-migrate-adapter";

// The schema's env("DATABASE_URL") must resolve or the CLI tries to download a native engine.
// A postgresql:// DATABASE_URL is handled by prisma.pg.config.ts (see scripts/db-migrate.ts).
const DEFAULT_SQLITE_URL = `file:${path.join("data", "evergreen.db")}`;
if (!process.env.DATABASE_URL?.startsWith("file:")) process.env.DATABASE_URL = DEFAULT_SQLITE_URL;
// better-sqlite3 creates the file but not its folder ("External error id#0" otherwise).
mkdirSync(path.dirname(process.env.DATABASE_URL.slice("file:".length)), { recursive: true });

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    return new MigrateSafeSQLite({ url: process.env.DATABASE_URL! });
  },
});
