import "./prisma/cli/timers";
import { defineConfig } from "prisma/config";
import { createMigrateAdapter } from "./prisma/cli/pg-migrate-adapter";

// Generation needs the variable to resolve even when no PostgreSQL server is in play.
process.env.PG_DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/evergreen";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/pg/schema.prisma",
  migrations: { path: "prisma/pg/migrations" },
  async adapter() {
    return createMigrateAdapter(process.env.PG_DATABASE_URL!);
  },
});
