import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { listContacts } from "./contacts";
import { listContactMessages } from "./timeline";
import { demoDataOnFirstSignIn, seedDemoData } from "./demo-data";

const test = setupTestDatabase();

describe("demo data", () => {
  it("gives a new user realistic contacts with history, once, and only to that user", async () => {
    const { id: userId } = await test.db.user.create({ data: { email: "newcomer@evergreen.test" } });
    const { id: otherId } = await test.db.user.create({ data: { email: "other@evergreen.test" } });
    const added = await seedDemoData(userId, test.deps);
    expect(added.contacts).toBeGreaterThanOrEqual(10);
    expect(added.messages).toBeGreaterThan(0);

    const contacts = await listContacts(userId, { query: "grace", page: 1 }, test.deps);
    expect(contacts.total).toBe(1);
    const grace = contacts.contacts[0]!;
    expect((await listContactMessages(userId, grace, test.deps)).length).toBeGreaterThan(0);

    expect(await seedDemoData(userId, test.deps)).toEqual({ contacts: 0, messages: 0 });
    expect(await test.db.contact.count({ where: { userId: otherId } })).toBe(0);
  });

  it("appears by itself only in development against the local Google", () => {
    expect(
      demoDataOnFirstSignIn({
        isProduction: false,
        google: { clientId: "x", clientSecret: "y", baseUrl: "http://127.0.0.1:4010" },
      }),
    ).toBe(true);
    expect(
      demoDataOnFirstSignIn({
        isProduction: true,
        google: { clientId: "x", clientSecret: "y", baseUrl: "http://127.0.0.1:4010" },
      }),
    ).toBe(false);
    expect(demoDataOnFirstSignIn({ isProduction: false, google: { clientId: "x", clientSecret: "y" } })).toBe(false);
  });
});
