// `npm run db:migrate`: apply the committed migrations to DATABASE_URL (SQLite or PostgreSQL).
// The server does the same on start; this is for deploy pipelines that migrate first.
import { migrateDatabase } from "../lib/platform/db-migrations";
import { getEnv } from "../lib/platform/env";

const { database } = getEnv();
migrateDatabase(database).then(
  (applied) =>
    console.log(
      applied.length > 0
        ? `Applied ${applied.join(", ")} to ${database.provider}.`
        : `The ${database.provider} database is up to date.`,
    ),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
