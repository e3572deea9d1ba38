import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { composeSchema } from "./compose";
import { enqueueMessage } from "./messages";
import { linkGoogleAccount } from "../connection/sign-in";

// Three `npm run worker` processes on one database, against a Gmail that fails in every way it can:
// every message ends sent exactly once, or visibly not sent. Counted at the local Google.

const google = setupEmulator();
const test = setupTestDatabase();
let workers: ChildProcess[] = [];

function startWorker(extraEnv: Record<string, string> = {}): ChildProcess {
  const keys = test.deps.keys.map(({ id, key }) => `${id}:${key.toString("base64")}`).join(",");
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "development" as const,
    DATABASE_URL: test.database.url,
    GOOGLE_BASE_URL: google.url,
    AUTH_GOOGLE_ID: DEV_CLIENT.id,
    AUTH_GOOGLE_SECRET: DEV_CLIENT.secret,
    AUTH_SECRET: randomBytes(32).toString("base64"),
    TOKEN_ENCRYPTION_KEYS: keys,
    ...extraEnv,
  };
  // node --import tsx, not npx: a signal must reach the worker itself.
  return spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env, stdio: "ignore" });
}

let userId: string;

beforeEach(async () => {
  userId = (await test.db.user.create({ data: { email: `workers-${randomBytes(3).toString("hex")}@evergreen.test` } }))
    .id;
  const { tokens } = await connect(google.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `${DEV_USER.sub}-${userId}`,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId,
      type: "oidc",
      provider: "google",
    },
    test.deps,
  );
  // Due at once: these messages are past their undo window.
  for (let n = 0; n < 24; n++) {
    const message = composeSchema.parse({
      to: ["grace@evergreen.test"],
      subject: `Message ${n}`,
      body: "Hi",
      idempotencyKey: randomBytes(12).toString("hex"),
    });
    const { id } = await enqueueMessage(userId, message, test.deps);
    await test.db.message.update({ where: { id }, data: { nextAttemptAt: new Date(Date.now() - 1_000) } });
  }
});

afterEach(async () => {
  for (const worker of workers) worker.kill("SIGKILL");
  workers = [];
});

describe("three worker processes sharing the database", () => {
  it("send every message exactly once through 503s, 429s and a lost answer", async () => {
    await google.control.addFault({ endpoint: "gmail.send", count: 2, status: 503 });
    await google.control.addFault({ endpoint: "gmail.send", count: 1, status: 429 });
    await google.control.addFault({ endpoint: "gmail.send", count: 1, mode: "drop-after" });
    workers = [startWorker(), startWorker(), startWorker()];

    await expect
      .poll(async () => test.db.message.count({ where: { userId, status: { notIn: ["SENT", "UNKNOWN"] } } }), {
        timeout: 60_000,
        interval: 500,
      })
      .toBe(0);

    const sent = (await google.control.messages()).map((message) => message.subject);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.sort()).toEqual(Array.from({ length: 24 }, (_, n) => `Message ${n}`).sort());
    // The one whose answer was lost went out once and waits for the user's decision.
    expect(await test.db.message.count({ where: { userId, status: "UNKNOWN" } })).toBe(1);
  }, 90_000);
});

describe("worker processes whose leases run out while Google is slow", () => {
  it("send every message at most once, and each one that did not arrive is visibly not sent", async () => {
    // Leases of 2 s, far shorter than Google's answers: every wait outlives a lease, on purpose.
    await test.db.account.updateMany({ where: { userId }, data: { expires_at: 0 } });
    await google.control.addFault({ endpoint: "token", count: 3, delayMs: 3_000 });
    await google.control.addFault({ endpoint: "gmail.send", count: 6, delayMs: 2_500 });
    await google.control.addFault({ endpoint: "gmail.send", count: 1, delayMs: 2_500, mode: "drop-after" });
    workers = [1, 2, 3].map(() => startWorker({ OUTBOX_LEASE_SECONDS: "2" }));

    await expect
      .poll(async () => test.db.message.count({ where: { userId, status: { notIn: ["SENT", "UNKNOWN"] } } }), {
        timeout: 90_000,
        interval: 500,
      })
      .toBe(0);
    // A message made UNKNOWN while its request was still in Gmail's 2.5 s delay lands after that: nothing
    // is due any more, so once every request that left has landed, the count at Google is final.
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    const arrived = (await google.control.messages()).map((message) => message.subject);
    expect(new Set(arrived).size).toBe(arrived.length);
    const rows = await test.db.message.findMany({
      where: { userId },
      select: { subject: true, status: true, gmailMessageId: true },
    });
    expect(rows).toHaveLength(24);
    for (const row of rows) {
      if (row.status === "SENT") expect(arrived).toContain(row.subject);
      if (!arrived.includes(row.subject)) expect(row).toMatchObject({ status: "UNKNOWN", gmailMessageId: null });
    }
    // The answer Gmail dropped leaves one message the user must decide about; it did arrive.
    expect(rows.filter((row) => row.status === "UNKNOWN").length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
