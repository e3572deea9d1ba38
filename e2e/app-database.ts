import Database from "better-sqlite3";
import { E2E } from "./e2e-config";

/** Runs `run` on the e2e app's own SQLite file, closed afterwards whatever happens. */
export function withAppDatabase<T>(run: (db: Database.Database) => T): T {
  const db = new Database(E2E.databaseFile, { fileMustExist: true });
  try {
    return run(db);
  } finally {
    db.close();
  }
}
