// `npm run test:pg`: the PostgreSQL lane. Starts a real, throwaway PostgreSQL server and runs every
// database-backed test (*.db.test.ts) against it. Missing binaries are a failure under CI=true.
import { spawnSync } from "node:child_process";
import { findPostgresBinaries, startTemporaryPostgres } from "../test-support/postgres-server";

async function main(): Promise<number> {
  if (!findPostgresBinaries()) {
    const ci = process.env.CI === "true";
    console.error(
      `PostgreSQL lane: ${ci ? "FAILED" : "SKIPPED"}: PostgreSQL binaries (initdb, pg_ctl) are not installed. ` +
        "Install them with `apt-get install -y postgresql` (.ci/run does this).",
    );
    return ci ? 1 : 0;
  }
  const server = await startTemporaryPostgres();
  console.log(`PostgreSQL lane: running the database tests against ${server.version} at ${server.url}`);
  try {
    const result = spawnSync("npx", ["vitest", "run", ".db.test", ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, EVERGREEN_TEST_POSTGRES_URL: server.url },
    });
    return result.status ?? 1;
  } finally {
    server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
