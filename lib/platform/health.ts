import { databaseProvider, getDb, type Db } from "./db";
import { migrationsFolder, readMigrations } from "./db-migrations";

/**
 * What the health endpoints answer. Live: the process serves requests, nothing else asked, so a load
 * balancer or orchestrator never restarts a server for its database's outage. Ready: the database
 * answers and holds every migration this build committed, so a server started with MIGRATE_ON_START=false
 * takes no traffic before `npm run db:deploy` has run. The reasons are fixed words: these endpoints are
 * public, so a driver's error (hosts, users) goes to the server log only.
 */
export type Health = { status: "ok" } | { status: "not-ready"; reason: string };

const DATABASE_TIMEOUT_MS = 2_000;

export function liveness(): Health {
  return { status: "ok" };
}

type Applied = { migration_name: string; checksum: string };

// The committed migrations never change while a build runs; read each folder once.
const committedByFolder = new Map<string, ReturnType<typeof readMigrations>>();

function committedMigrations(folder: string) {
  if (!committedByFolder.has(folder)) committedByFolder.set(folder, readMigrations(folder));
  return committedByFolder.get(folder)!;
}

export async function readiness(
  db: Db = getDb(),
  options: { root?: string; timeoutMs?: number } = {},
): Promise<Health> {
  const timeoutMs = options.timeoutMs ?? DATABASE_TIMEOUT_MS;
  try {
    await withTimeout(db.$queryRawUnsafe("SELECT 1"), timeoutMs);
  } catch (error) {
    console.error("[evergreen] readiness: the database does not answer", error);
    return notReady(
      error instanceof TimeoutError
        ? `the database did not answer within ${timeoutMs} ms`
        : "the database does not answer",
    );
  }
  let applied: Applied[];
  try {
    applied = await withTimeout(
      db.$queryRawUnsafe<Applied[]>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      ),
      timeoutMs,
    );
  } catch {
    return notReady("the database has no migrations applied; run npm run db:deploy");
  }
  const checksums = new Map(applied.map((row) => [row.migration_name, row.checksum]));
  const committed = committedMigrations(migrationsFolder(databaseProvider(db), options.root));
  const edited = committed.find(
    (migration) => checksums.has(migration.name) && checksums.get(migration.name) !== migration.checksum,
  );
  if (edited) return notReady(`migration ${edited.name} differs from the one the database applied`);
  // Migrations the database has but this build lacks are a newer build's: an older server stays ready during a rollout.
  const pending = committed.filter((migration) => !checksums.has(migration.name)).map((migration) => migration.name);
  if (pending.length > 0) {
    const names =
      pending.length > 3 ? `${pending.slice(0, 3).join(", ")} and ${pending.length - 3} more` : pending.join(", ");
    return notReady(
      `${pending.length} migration${pending.length === 1 ? "" : "s"} not applied (${names}); run npm run db:deploy`,
    );
  }
  return { status: "ok" };
}

/** The answer for a health endpoint: 200 when ok, 503 otherwise; never cached. */
export function healthResponse(health: Health): Response {
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}

function notReady(reason: string): Health {
  return { status: "not-ready", reason };
}

class TimeoutError extends Error {}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
