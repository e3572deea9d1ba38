// `npm run db:deploy`: apply the committed migrations to DATABASE_URL (SQLite or PostgreSQL), then exit:
// 0 once the database is up to date, 1 with the reason otherwise. Deployments that set MIGRATE_ON_START=false
// run it once before their servers and workers (docs/deploying.md); PostgreSQL's advisory lock makes a
// second run at the same time wait, then apply nothing.
import { migrateDatabase } from "../lib/platform/db-migrations";
import { getEnv } from "../lib/platform/env";

async function main(): Promise<number> {
  try {
    const { database } = getEnv();
    const applied = await migrateDatabase(database);
    console.log(
      applied.length > 0
        ? `db:deploy: applied ${applied.join(", ")} to ${database.provider}.`
        : `db:deploy: the ${database.provider} database is up to date.`,
    );
    return 0;
  } catch (error) {
    console.error(`db:deploy: failed. ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
