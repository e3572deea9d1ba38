import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/lib/platform/db";
import type { AppDeps } from "@/lib/platform/deps";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { createTestDatabase, type TestDatabase } from "./test-database";

/** The app's dependencies around a test database: a fresh key, a Google that always revokes (and is never asked to refresh), the real clock. */
export function testDeps(db: Db, overrides: Partial<AppDeps> = {}): AppDeps {
  const keys = overrides.keys ?? [{ id: "k1", key: randomBytes(32) }];
  return {
    db,
    keys,
    vault: createTokenVault(keys),
    google: {
      revoke: async () => "revoked",
      refresh: async () => {
        throw new Error("this test did not expect a refresh; pass google.refresh in its deps");
      },
      send: async () => {
        throw new Error("this test did not expect a send; pass google.send in its deps");
      },
      threadMetadata: async () => {
        throw new Error("this test did not expect a thread read; pass google.threadMetadata in its deps");
      },
    },
    now: () => new Date(),
    publishingStatus: "production",
    dailySendLimit: 2000,
    ...overrides,
  };
}

/** A fresh migrated database for one test file, with the app's dependencies around it. */
export function setupTestDatabase(): {
  readonly db: Db;
  readonly deps: AppDeps;
  readonly database: TestDatabase["database"];
} {
  let test: TestDatabase | undefined;
  let deps: AppDeps | undefined;
  beforeAll(async () => {
    test = await createTestDatabase();
    deps = testDeps(test.db);
  });
  afterAll(() => test?.drop());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the test database is created in beforeAll");
    return value;
  };
  return {
    get db() {
      return started(test).db;
    },
    get deps() {
      return started(deps);
    },
    get database() {
      return started(test).database;
    },
  };
}
