import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlQuery, SqlResultSet } from "@prisma/driver-adapter-utils";

// The JS schema engine sends whole migration files through queryRaw/executeRaw, and better-sqlite3
// refuses more than one statement per call. For the CLI only, such scripts run via executeScript.
const MULTI_STATEMENT = /more than one statement/;
const EMPTY_RESULT: SqlResultSet = { columnNames: [], columnTypes: [], rows: [] };

function acceptScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  const runAsScript = async <T>(query: SqlQuery, run: () => Promise<T>, empty: T): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof RangeError && MULTI_STATEMENT.test(error.message)) || query.args.length > 0) throw error;
      await adapter.executeScript(query.sql);
      return empty;
    }
  };
  adapter.queryRaw = (query) => runAsScript(query, () => queryRaw(query), EMPTY_RESULT);
  adapter.executeRaw = (query) => runAsScript(query, () => executeRaw(query), 0);
  return adapter;
}

export class MigrateSafeSQLite extends PrismaBetterSQLite3 {
  override async connect() {
    return acceptScripts(await super.connect());
  }

  override async connectToShadowDb() {
    return acceptScripts(await super.connectToShadowDb());
  }
}
