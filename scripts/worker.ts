// `npm run worker`: the outbox, revoke retries and keep-alive in a process of their own, for
// deployments that set BACKGROUND_JOBS=off on their app servers. Run as many as you like: every job
// claims its work through the database. SIGINT/SIGTERM stop claiming, let the running round end
// (at most WORKER_GRACE_MS, within Docker's 10 s) and exit with 0.
import { startBackgroundJobs } from "../lib/platform/background-jobs";
import { migrateDatabase } from "../lib/platform/db-migrations";
import { getDb } from "../lib/platform/db";
import { getEnv } from "../lib/platform/env";
import { finishBeforeExit } from "../lib/platform/shutdown";

const WORKER_GRACE_MS = 8_000;

async function main() {
  const env = getEnv();
  if (env.migrateOnStart) await migrateDatabase(env.database);
  const jobs = startBackgroundJobs({ keepAlive: true });
  finishBeforeExit(async () => {
    console.log(`[evergreen] worker ${process.pid} stopping after the work in flight`);
    await jobs.stop();
    await getDb().$disconnect();
  }, WORKER_GRACE_MS);
  console.log(`[evergreen] worker ${process.pid} running on ${env.database.provider}`);
}

main().catch((error: unknown) => {
  console.error(`[evergreen] worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
