import { describe, expect, it, vi } from "vitest";

describe("databaseProvider", () => {
  it("knows a PostgreSQL client made by another copy of lib/platform/db.ts, as Next's server chunks each hold one", async () => {
    const first = await import("./db");
    vi.resetModules();
    const second = await import("./db");
    expect(second).not.toBe(first);
    // Prisma connects on first query, so no server is needed to make the client.
    const db = first.createDb({ provider: "postgresql", url: "postgresql://nobody@127.0.0.1:1/none" });
    expect(second.databaseProvider(db)).toBe("postgresql");
  });
});
