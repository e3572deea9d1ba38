import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { getEnv, type Env } from "./env";
import { PrismaClient as PgClient } from "./generated/pg/client";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";

// The only importer of lib/generated (ESLint enforces it); domain code takes the enum types from here.
export type { ConnectionEventKind, ConnectionStatus, StatusReason } from "./generated/sqlite/enums";

// Token columns are ciphertext and still never loaded unless a query asks for them by name.
const omitSecrets = {
  account: { access_token: true, refresh_token: true, id_token: true },
} as const;

function createSqliteClient(url: string) {
  const adapter = new PrismaBetterSQLite3({ url, timeout: 10_000 });
  return new SqliteClient({ adapter, omit: omitSecrets });
}

/** Both generated clients expose the same model API; the SQLite one stands for both in types. */
export type Db = ReturnType<typeof createSqliteClient>;

export function createDb(database: Env["database"]): Db {
  if (database.provider === "postgresql") {
    const client = new PgClient({ adapter: new PrismaPg({ connectionString: database.url }), omit: omitSecrets });
    return client as unknown as Db;
  }
  return createSqliteClient(database.url);
}

// Next's dev server re-evaluates modules on every edit; one client per process keeps connections bounded.
const globalForDb = globalThis as unknown as { evergreenDb?: Db };

export function getDb(): Db {
  globalForDb.evergreenDb ??= createDb(getEnv().database);
  return globalForDb.evergreenDb;
}
