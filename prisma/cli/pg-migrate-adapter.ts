import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

// Prisma 6.19 bug #27403: the CLI cannot deserialize PostgreSQL's internal types (name, "char",
// regclass…) that its introspection queries return. Reporting them as text fixes every migrate command.
const INTERNAL_TYPES_AS_TEXT = new Set([18, 19, 24, 194, 2205]);
const TEXT_OID = 25;

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };

function reportInternalTypesAsText<T>(result: T): T {
  for (const field of (result as QueryResultLike | undefined)?.fields ?? []) {
    if (INTERNAL_TYPES_AS_TEXT.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
  }
  return result;
}

class IntrospectionSafeClient extends pg.Client {
  // pg's overloads are too many to restate; we only post-process whatever result comes back.
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === "function") {
      args[args.length - 1] = (error: unknown, result: unknown) => last(error, reportInternalTypesAsText(result));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    if (returned instanceof Promise) return returned.then(reportInternalTypesAsText) as never;
    return returned as never;
  }
}

/** A PrismaPg adapter the CLI can migrate with; the app itself uses the plain adapter. */
export function createMigrateAdapter(url: string): PrismaPg {
  const parsed = new URL(url);
  const pool = new pg.Pool({
    host: parsed.hostname,
    port: Number(parsed.port) || 5432,
    user: decodeURIComponent(parsed.username),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    // Discrete fields, not connectionString: the CLI derives its shadow database from pool options,
    // and a connectionString would silently point the "shadow" at the main database.
    database: parsed.pathname.slice(1),
    // The adapter drops the shadow database before ending its pool; idle clients must be gone by then.
    idleTimeoutMillis: 1,
    Client: IntrospectionSafeClient,
  });
  return new PrismaPg(pool);
}
