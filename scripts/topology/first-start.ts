import type { Client } from "pg";
import { migrationsFolder, readMigrations } from "@/lib/platform/db-migrations";
import { waitForHttp, waitForOutput, type Cluster } from "./cluster";

/**
 * Check 1: everything of compose.yaml started at the same moment on an empty database, with no
 * depends_on to order them: three `npm run db:deploy` at once (a one-shot migrate per host of a
 * rolling deploy), both servers and both workers (MIGRATE_ON_START=false) and nginx. The migrations
 * are applied once, by one of them; the servers turn ready once they are; the workers keep running.
 */

const MIGRATORS = 3;
const START_TIMEOUT_MS = 180_000;

type AppliedRow = { migration_name: string; rows: string; finished: boolean };

export async function startAllAtOnce(cluster: Cluster, db: Client): Promise<{ ok: boolean; detail: string }> {
  const committed = readMigrations(migrationsFolder("postgresql")).map((migration) => migration.name);
  const started = performance.now();
  const migrators = Array.from({ length: MIGRATORS }, (_, index) => cluster.startMigrate(`migrate${index + 1}`));
  const apps = [0, 1].map((index) => cluster.startApp(index));
  const workers = [0, 1].map((index) => cluster.startWorker(index));
  const nginx = cluster.startNginx();

  const exits = await Promise.all(
    migrators.map((migrator) =>
      Promise.race([
        migrator.exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${migrator.label} still running`)), START_TIMEOUT_MS),
        ),
      ]),
    ),
  );
  await Promise.all(
    apps.map((app, index) => waitForHttp(`${cluster.appUrls[index]}/api/health/ready`, app, START_TIMEOUT_MS)),
  );
  const readyMs = performance.now() - started;
  await waitForHttp(`${cluster.url}/api/health/ready`, nginx, 30_000);
  await Promise.all(workers.map((worker) => waitForOutput(worker, /worker \d+ running on postgresql/, 60_000)));

  const { rows } = await db.query<AppliedRow>(
    `SELECT migration_name, count(*)::text AS rows, bool_and(finished_at IS NOT NULL AND rolled_back_at IS NULL) AS finished
       FROM _prisma_migrations GROUP BY migration_name ORDER BY migration_name`,
  );
  const names = rows.map((row) => row.migration_name);
  const twice = rows.filter((row) => row.rows !== "1" || !row.finished);
  const missing = committed.filter((name) => !names.includes(name));
  const appliers = migrators.filter((migrator) => /db:deploy: applied/.test(migrator.output()));
  const upToDate = migrators.filter((migrator) =>
    /db:deploy: the postgresql database is up to date/.test(migrator.output()),
  );
  const failedExits = exits.filter((exit) => exit.code !== 0);
  // A worker that died on the empty database would have exited by now.
  const workersAlive = workers.every((worker) => worker.child.exitCode === null && worker.child.signalCode === null);

  const ok =
    failedExits.length === 0 &&
    twice.length === 0 &&
    missing.length === 0 &&
    names.length === committed.length &&
    appliers.length === 1 &&
    upToDate.length === MIGRATORS - 1 &&
    workersAlive;
  return {
    ok,
    detail:
      `${MIGRATORS} db:deploy, 2 servers, 2 workers and nginx started at once: ${MIGRATORS - failedExits.length} of ${MIGRATORS} migrators exited 0, ` +
      `${appliers.length} applied, ${upToDate.length} found it up to date; _prisma_migrations holds ${rows.length} migrations ` +
      `(${committed.length} committed), ${twice.length} more than once or unfinished${missing.length ? `, missing ${missing.join(", ")}` : ""}; ` +
      `both servers ready after ${(readyMs / 1000).toFixed(1)} s, workers ${workersAlive ? "running" : "gone"}`,
  };
}
