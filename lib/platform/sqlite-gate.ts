import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

/**
 * better-sqlite3 is one connection per process. While an interactive transaction is open on it, any
 * other query the process runs (a second request, a background job, another outbox lane) runs inside
 * that transaction: it is rolled back with it, and it sees the transaction's unfinished writes. The
 * adapter orders transactions among themselves only; this gate also holds every query outside a
 * transaction until the open one has ended. Each query is one synchronous call into SQLite, so once
 * the gate is free a query runs whole before anything else can begin.
 */

type SqliteAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
type SqliteTransaction = Awaited<ReturnType<SqliteAdapter["startTransaction"]>>;

function gate(adapter: SqliteAdapter): SqliteAdapter {
  /** Settles when the open transaction ends; undefined while none is open. */
  let open: Promise<void> | undefined;
  const whenNoTransaction = async () => {
    while (open) await open;
  };
  const outside =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await whenNoTransaction();
      return run(...args);
    };

  const startTransaction: SqliteAdapter["startTransaction"] = async (isolationLevel) => {
    await whenNoTransaction();
    let end!: () => void;
    // Taken before BEGIN, in the same synchronous step as the check above: no query slips in between.
    open = new Promise((resolve) => (end = resolve));
    const finish = () => {
      open = undefined;
      end();
    };
    let transaction: SqliteTransaction;
    try {
      transaction = await adapter.startTransaction(isolationLevel);
    } catch (error) {
      finish();
      throw error;
    }
    const ending = (close: () => Promise<void>) => async (): Promise<void> => {
      try {
        await close();
      } finally {
        finish();
      }
    };
    return Object.assign(Object.create(transaction) as SqliteTransaction, {
      queryRaw: transaction.queryRaw.bind(transaction),
      executeRaw: transaction.executeRaw.bind(transaction),
      commit: ending(() => transaction.commit()),
      rollback: ending(() => transaction.rollback()),
    });
  };

  return Object.assign(Object.create(adapter) as SqliteAdapter, {
    queryRaw: outside(adapter.queryRaw.bind(adapter)),
    executeRaw: outside(adapter.executeRaw.bind(adapter)),
    executeScript: outside(adapter.executeScript.bind(adapter)),
    startTransaction,
    dispose: adapter.dispose.bind(adapter),
  });
}

/** The better-sqlite3 adapter, with queries outside a transaction kept out of an open one. */
export function gatedSqliteAdapter(config: ConstructorParameters<typeof PrismaBetterSQLite3>[0]) {
  const factory = new PrismaBetterSQLite3(config);
  return {
    provider: "sqlite" as const,
    adapterName: factory.adapterName,
    connect: async () => gate(await factory.connect()),
    connectToShadowDb: async () => gate(await factory.connectToShadowDb()),
  };
}
