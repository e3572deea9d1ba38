import { PrismaPg } from "@prisma/adapter-pg";
import { getEnv, type Env } from "./env";
import { gatedSqliteAdapter } from "./sqlite-gate";
import { PrismaClient as PgClient } from "../generated/pg/client";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client";

// The only importer of lib/generated (ESLint enforces it); domain code takes the enum types from here.
export type { ConnectionEventKind, ConnectionStatus, MessageStatus, StatusReason } from "../generated/sqlite/enums";

// Token columns are ciphertext and still never loaded unless a query asks for them by name.
const omitSecrets = {
  account: { access_token: true, refresh_token: true, id_token: true },
} as const;

function createSqliteClient(url: string) {
  const adapter = gatedSqliteAdapter({ url, timeout: 10_000 });
  return new SqliteClient({ adapter, omit: omitSecrets });
}

/** Both generated clients expose the same model API; the SQLite one stands for both in types. */
export type Db = ReturnType<typeof createSqliteClient>;

// Next bundles this module into several server chunks (pages, route handlers, instrumentation) that share
// getDb()'s client, so the engine of each client is kept per process too, not per copy of the module.
const globalForProviders = globalThis as unknown as { evergreenDbProviders?: WeakMap<Db, Env["database"]["provider"]> };
const providers = (globalForProviders.evergreenDbProviders ??= new WeakMap());

export function createDb(database: Env["database"]): Db {
  const db =
    database.provider === "postgresql"
      ? (new PgClient({
          adapter: new PrismaPg({ connectionString: database.url }),
          omit: omitSecrets,
        }) as unknown as Db)
      : createSqliteClient(database.url);
  providers.set(db, database.provider);
  return db;
}

/** Which engine a client talks to, for the few queries that differ (the outbox's claim). */
export function databaseProvider(db: Db): Env["database"]["provider"] {
  return providers.get(db) ?? "sqlite";
}

/** A Prisma unique-constraint error: the row a write would make already exists (a duplicate key, a race lost). */
export const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

/**
 * Whether an id from a request can name a row (a cuid, or a UUID a seed wrote). Any other finds nothing
 * without a query: PostgreSQL refuses a NUL and Prisma an unpaired surrogate with an error, not a miss.
 */
export function isRecordId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id);
}

// Next's dev server re-evaluates modules on every edit; one client per process keeps connections bounded.
const globalForDb = globalThis as unknown as { evergreenDb?: Db };

export function getDb(): Db {
  globalForDb.evergreenDb ??= createDb(getEnv().database);
  return globalForDb.evergreenDb;
}
