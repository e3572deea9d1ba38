export const SOURCE: string;
export const TARGET: string;
/** The PostgreSQL schema for a SQLite schema: provider, url and client output rewritten, models untouched. */
export function derivePgSchema(sqliteSchema: string): string;
