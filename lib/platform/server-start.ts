import { migrateDatabase } from "./db-migrations";
import { EnvError, getEnv } from "./env";
import { finishBeforeExit } from "./shutdown";
import { refuseForbiddenMethods } from "../http/forbidden-methods";

/** How long SIGTERM waits for the jobs' running round before Next.js drains requests; Docker kills after 10 s. */
const JOBS_GRACE_MS = 5_000;

/**
 * What a Node.js server does once at start-up (from instrumentation.ts): refuse to serve with bad
 * configuration, answer TRACE before Next.js can (lib/http/forbidden-methods.ts), create or upgrade the
 * database (unless MIGRATE_ON_START=false), then start the background jobs (unless they run elsewhere).
 */
export async function startServer(): Promise<void> {
  try {
    refuseForbiddenMethods();
    const env = getEnv();
    if (env.migrateOnStart) {
      const applied = await migrateDatabase(env.database);
      if (applied.length > 0) console.log(`[evergreen] database migrated: ${applied.join(", ")}`);
    }
    // With BACKGROUND_JOBS=off, `npm run worker` processes or the cron route do this work instead.
    if (env.backgroundJobs === "server") {
      const { startBackgroundJobs, stopBackgroundJobs } = await import("./background-jobs");
      startBackgroundJobs();
      finishBeforeExit(stopBackgroundJobs, JOBS_GRACE_MS);
    }
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`[evergreen] refusing to start. ${error.message}`);
    process.exit(1);
  }
}
