// Runs once when a Next.js server starts: refuse to serve with bad configuration, then create or
// upgrade the database, so a fresh clone needs no separate migrate step.
export async function register() {
  // NEXT_RUNTIME is set by Next itself to pick the runtime, not configuration (see lib/env.ts).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv, EnvError } = await import("./lib/env");
  const { migrateDatabase } = await import("./lib/db-migrations");
  try {
    const applied = await migrateDatabase(getEnv().database);
    if (applied.length > 0) console.log(`[evergreen] database migrated: ${applied.join(", ")}`);
    const { startBackgroundJobs } = await import("./lib/background-jobs");
    startBackgroundJobs();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`[evergreen] refusing to start. ${error.message}`);
    process.exit(1);
  }
}
