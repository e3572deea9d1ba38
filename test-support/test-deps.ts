import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import type { AppDeps } from "@/lib/deps";
import { createTokenVault } from "@/lib/token-crypto";

/** The app's dependencies around a test database: a fresh key, a Google that always revokes, the real clock. */
export function testDeps(db: Db, overrides: Partial<AppDeps> = {}): AppDeps {
  const keys = overrides.keys ?? [{ id: "k1", key: randomBytes(32) }];
  return { db, keys, vault: createTokenVault(keys), google: { revoke: async () => "revoked" }, now: () => new Date(), ...overrides };
}
