import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { connectedGoogleUser, startSecurityEventReceiver } from "@/test-support/security-event-receiver";
import { messageSeeder } from "@/test-support/seed-message";
import { RISC_EVENT_TYPES } from "../google/risc-stream";
import { getConnection } from "./status";

// The receiver end to end against the local Google: Google's own SETs, pushed over HTTP with Google's
// faults, verified against its keys and acted on in the database.

const google = setupEmulator();
const test = setupTestDatabase();
const seedMessage = messageSeeder(test);
let receiver: Awaited<ReturnType<typeof startSecurityEventReceiver>>;
let n = 0;

beforeAll(async () => {
  receiver = await startSecurityEventReceiver(google.url, test.deps);
});
afterAll(() => receiver.close());
// The local Google is reset before every test, its stream included.
beforeEach(async () => {
  await receiver.register();
});

const newUser = () => connectedGoogleUser(google, test.deps, `risc-receiver-${++n}@evergreen.test`);
const statusOf = async (userId: string) => (await getConnection(userId, test.deps))!;
const tokenCalls = async () => (await google.control.calls()).token ?? 0;
async function deliveries() {
  await google.control.riscFlush();
  return google.control.riscDeliveries();
}
async function until(check: () => Promise<boolean>, ms = 2_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

describe("the user removes Evergreen at Google", () => {
  it("shows Reconnect needed with the cause within 2 s, holds the scheduled mail, and asks Google for no token", async () => {
    const user = await newUser();
    const scheduled = await seedMessage(user.userId, { to: ["a@example.com"], status: "QUEUED" });
    await test.db.message.update({
      where: { id: scheduled },
      data: { status: "SCHEDULED", sendAt: new Date(Date.now() + 3_600_000) },
    });
    const calls = await tokenCalls();

    await google.control.revokeAccess(user.email);
    const elapsed = await until(async () => (await statusOf(user.userId)).status === "NEEDS_RECONNECT");

    expect(elapsed).toBeLessThan(2_000);
    expect(await statusOf(user.userId)).toMatchObject({ reason: "REMOVED_AT_GOOGLE" });
    expect((await test.db.message.findUniqueOrThrow({ where: { id: scheduled } })).status).toBe(
      "WAITING_FOR_RECONNECT",
    );
    expect(await tokenCalls()).toBe(calls);
    expect((await deliveries()).map((row) => [row.eventType, row.status])).toEqual([
      [RISC_EVENT_TYPES.tokensRevoked, 202],
    ]);
  });
});

describe("Google's other triggers", () => {
  it.each(["hash_base64_sha512_sha512", "prefix"] as const)(
    "one refresh token revoked at Google, named by %s, needs a reconnect",
    async (alg) => {
      await google.control.configure({ riscTokenIdentifierAlg: alg });
      const user = await newUser();
      await google.control.revokeRefreshToken(user.refreshToken);
      await until(async () => (await statusOf(user.userId)).status === "NEEDS_RECONNECT");
      expect(await statusOf(user.userId)).toMatchObject({ reason: "REMOVED_AT_GOOGLE" });
    },
  );

  it("a password change signs the user out and needs a reconnect (Gmail tokens die with it)", async () => {
    const user = await newUser();
    await test.db.session.create({
      data: { userId: user.userId, sessionToken: `s-${n}`, expires: new Date(Date.now() + 86_400_000) },
    });
    await google.control.passwordChange(user.email);
    await until(async () => (await statusOf(user.userId)).status === "NEEDS_RECONNECT");
    await deliveries();
    expect(await test.db.session.count({ where: { userId: user.userId } })).toBe(0);
  });

  it("a disabled Google account holds sending with Google's reason, and enabling it lifts the hold", async () => {
    const user = await newUser();
    await google.control.disableAccount(user.email, "hijacking");
    await until(async () => (await statusOf(user.userId)).reason === "ACCOUNT_DISABLED");
    expect(await statusOf(user.userId)).toMatchObject({ googleDisabledReason: "hijacking" });
    await google.control.advanceClock(5);
    await google.control.enableAccount(user.email);
    await until(async () => (await statusOf(user.userId)).status === "CONNECTED");
  });

  it("a disabled event delivered after the later enabled one (reordered) changes nothing", async () => {
    const user = await newUser();
    await google.control.riscFault({ kind: "reorder" });
    await google.control.disableAccount(user.email, "bulk-account");
    await google.control.advanceClock(5);
    await google.control.enableAccount(user.email);
    const rows = await deliveries();
    expect(rows.map((row) => row.eventType)).toEqual([
      RISC_EVENT_TYPES.accountEnabled,
      RISC_EVENT_TYPES.accountDisabled,
    ]);
    expect(await statusOf(user.userId)).toMatchObject({ status: "CONNECTED" });
  });
});

describe("what Google's faults do", () => {
  it("a duplicate delivery gets 202 twice and acts once", async () => {
    const user = await newUser();
    await google.control.riscFault({ kind: "duplicate" });
    await google.control.revokeAccess(user.email);
    const rows = await deliveries();
    expect(rows.map((row) => row.status)).toEqual([202, 202]);
    expect(new Set(rows.map((row) => row.jti)).size).toBe(1);
    expect(await test.db.connectionEvent.count({ where: { userId: user.userId, kind: "GOOGLE_SECURITY_EVENT" } })).toBe(
      1,
    );
  });

  it("a SET with an exp in the past is still accepted", async () => {
    const user = await newUser();
    await google.control.riscFault({ kind: "expired-exp" });
    await google.control.revokeAccess(user.email);
    expect((await deliveries()).map((row) => row.status)).toEqual([202]);
    expect(await statusOf(user.userId)).toMatchObject({ status: "NEEDS_RECONNECT" });
  });

  it.each(["bad-signature", "unknown-kid", "wrong-aud", "wrong-iss"] as const)(
    "a SET with %s gets 400 with RFC 8935's error and changes nothing",
    async (kind) => {
      const user = await newUser();
      await google.control.riscFault({ kind });
      await google.control.revokeAccess(user.email);
      const [row, ...rest] = await deliveries();
      expect(rest).toEqual([]);
      expect(row).toMatchObject({ status: 400, fault: kind });
      expect(await statusOf(user.userId)).toMatchObject({ status: "CONNECTED" });
      expect(await test.db.securityEvent.count({ where: { googleSub: user.sub } })).toBe(0);
    },
  );
});

describe("what the receiver answers to anyone else", () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(receiver.url, { method: "POST", body, headers: { "Content-Type": "application/secevent+jwt", ...headers } });

  it("replays of a delivered SET get 202 and act once", async () => {
    const user = await newUser();
    await google.control.revokeAccess(user.email);
    const [delivered] = await deliveries();
    const replays = await Promise.all([post(delivered!.set), post(delivered!.set), post(delivered!.set)]);
    expect(replays.map((response) => response.status)).toEqual([202, 202, 202]);
    expect(await test.db.connectionEvent.count({ where: { userId: user.userId, kind: "GOOGLE_SECURITY_EVENT" } })).toBe(
      1,
    );
  });

  it.each([
    ["a 1 MB body", () => "a".repeat(1024 * 1024)],
    ["a body that is not a JWT", () => "hello"],
    ["an empty body", () => ""],
    ["a JSON body", () => JSON.stringify({ events: {} })],
    ["alg none", () => `${b64({ alg: "none" })}.${b64({ iss: google.url, jti: "x" })}.`],
  ])("%s gets 400 with RFC 8935's JSON error", async (_, body) => {
    const response = await post(body());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      err: expect.stringMatching(/^invalid_/),
      description: expect.any(String),
    });
  });
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
