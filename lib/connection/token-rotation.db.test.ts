import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test-support/test-database";
import { testDeps } from "@/test-support/test-deps";
import { createTokenVault, keyIdOf } from "./token-crypto";
import { linkGoogleAccount } from "./sign-in";
import { rotateTokenEncryption } from "./token-rotation";

const oldKey = { id: "old", key: randomBytes(32) };
const newKey = { id: "new", key: randomBytes(32) };
let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test?.drop());

it("re-encrypts every stored token with the current key, and the old key can then go", async () => {
  const user = await test.db.user.create({ data: { email: "rotate@evergreen.test" } });
  await linkGoogleAccount(
    {
      userId: user.id,
      type: "oidc",
      provider: "google",
      providerAccountId: "rotate-1",
      access_token: "ya29.access",
      refresh_token: "1//0refresh",
      id_token: "eyJ.id",
      scope: "https://www.googleapis.com/auth/gmail.send",
    },
    testDeps(test.db, { keys: [oldKey] }),
  );

  const report = await rotateTokenEncryption(testDeps(test.db, { keys: [newKey, oldKey] }));
  expect(report).toEqual({ rewritten: 3, alreadyCurrent: 0, unreadable: [] });

  const row = await test.db.account.findFirstOrThrow({
    where: { userId: user.id },
    select: { id: true, refresh_token: true, access_token: true },
  });
  expect(keyIdOf(row.refresh_token!)).toBe("new");
  expect(createTokenVault([newKey]).open(row.refresh_token!, row.id)).toBe("1//0refresh");
  expect(createTokenVault([newKey]).open(row.access_token!, row.id)).toBe("ya29.access");

  expect(await rotateTokenEncryption(testDeps(test.db, { keys: [newKey, oldKey] }))).toEqual({
    rewritten: 0,
    alreadyCurrent: 3,
    unreadable: [],
  });
});

it("reports values no configured key can open instead of destroying them", async () => {
  const lostKey = { id: "lost", key: randomBytes(32) };
  const user = await test.db.user.create({ data: { email: "lost@evergreen.test" } });
  await linkGoogleAccount(
    {
      userId: user.id,
      type: "oidc",
      provider: "google",
      providerAccountId: "lost-1",
      refresh_token: "1//0lost",
      scope: "openid",
    },
    testDeps(test.db, { keys: [lostKey] }),
  );
  const report = await rotateTokenEncryption(testDeps(test.db, { keys: [newKey] }));
  expect(report.unreadable).toHaveLength(1);
  const row = await test.db.account.findFirstOrThrow({ where: { userId: user.id }, select: { refresh_token: true } });
  expect(keyIdOf(row.refresh_token!)).toBe("lost");
});
