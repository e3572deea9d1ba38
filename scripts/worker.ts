// `npm run worker`: the outbox, revoke retries and keep-alive in a process of their own, for
// deployments that set BACKGROUND_JOBS=off on their app servers. Run as many as you like: every job
// claims its work through the database. SIGINT/SIGTERM stop claiming and finish what is in flight.
import { startBackgroundJobs } from "../lib/platform/background-jobs";
import { migrateDatabase } from "../lib/platform/db-migrations";
import { getDb } from "../lib/platform/db";
import { getEnv } from "../lib/platform/env";

async function main() {
  const env = getEnv();
  if (env.migrateOnStart) await migrateDatabase(env.database);
  const jobs = startBackgroundJobs({ keepAlive: true });
  console.log(`[evergreen] worker ${process.pid} running on ${env.database.provider}`);
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`[evergreen] worker ${process.pid} stopping after the work in flight`);
      void jobs
        .stop()
        .then(() => getDb().$disconnect())
        .then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(`[evergreen] worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
