import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { createTestDatabase, type TestDatabase } from "@/test-support/test-database";
import { testDeps } from "@/test-support/test-deps";
import {
  startRefreshWorker,
  type CallResult,
  type RefreshRound,
  type RefreshWorker,
} from "@/test-support/refresh-workers";
import type { AppDeps } from "../platform/deps";
import { REFRESH_LEASE_MS } from "./tokens";
import { linkGoogleAccount } from "./sign-in";

// "One refresh per account at a time across every process that shares the database", with real
// processes: each worker builds its own AppDeps on this file's database and asks this file's emulator.

const emulator = setupEmulator();
let test: TestDatabase;
let deps: AppDeps;
let userId: string;
let subject = 0;
/** Three processes on this file's database, started once: their start-up is not what is tested. */
let workers: [RefreshWorker, RefreshWorker, RefreshWorker] | undefined;

beforeAll(async () => {
  test = await createTestDatabase();
  deps = testDeps(test.db);
  const google = { clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: emulator.url };
  const start = () => startRefreshWorker({ database: test.database, keys: deps.keys, google });
  workers = await Promise.all([start(), start(), start()]);
});
afterAll(async () => {
  await Promise.all((workers ?? []).map((worker) => worker.kill()));
  await test?.drop();
});
beforeEach(async () => {
  subject += 1;
  userId = (await test.db.user.create({ data: { email: `multiprocess${subject}@evergreen.test` } })).id;
});

/** Ada connects Gmail; her access token is already expired in the app's eyes. */
async function connectWithExpiredToken() {
  const { tokens } = await connect(emulator.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `multiprocess-${subject}`,
      expires_at: Math.floor(Date.now() / 1000) - 60,
      userId,
      type: "oidc",
      provider: "google",
    },
    deps,
  );
  return tokens.access_token!;
}

const tokenCalls = async () => (await emulator.control.calls()).token ?? 0;
const account = () =>
  test.db.account.findFirstOrThrow({
    where: { userId },
    select: { id: true, access_token: true, refreshLeaseId: true, refreshLeaseUntil: true },
  });
const storedToken = async () => {
  const row = await account();
  return deps.vault.open(row.access_token!, row.id);
};
const endOf = (result: CallResult) => result.startedAt + result.ms;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}

function expectOneToken(results: CallResult[], expired: string): string {
  expect(results.filter((result) => result.error)).toEqual([]);
  const tokens = new Set(results.map((result) => result.token));
  expect(tokens.size).toBe(1);
  const [token] = tokens;
  expect(token).not.toBe(expired);
  return token!;
}

describe("getAccessToken across processes", () => {
  it("refreshes once when 25 callers in each of two processes find the same expired token at once", async () => {
    const expired = await connectWithExpiredToken();
    // A slow token endpoint holds the refresh open, so both processes are surely inside it together.
    await emulator.control.addFault({ endpoint: "token", mode: "respond", delayMs: 1_000, count: 10 });
    const before = await tokenCalls();

    const startAt = Date.now() + 300;
    const [first, second] = workers!;
    const round: RefreshRound = { userIds: [userId], callers: 25, mode: "getAccessToken", startAt };
    const results = await Promise.all([first.run(round), second.run(round)]);

    const all = results.flat();
    expect(all).toHaveLength(50);
    const token = expectOneToken(all, expired);
    expect((await tokenCalls()) - before).toBe(1);
    // Every call of both processes had started before the first one ended: they really overlapped.
    expect(Math.max(...all.map((result) => result.startedAt))).toBeLessThan(Math.min(...all.map(endOf)));
    expect(await storedToken()).toBe(token);
    expect((await account()).refreshLeaseId).toBeNull();
  });

  it("refreshes after a lease holder killed mid-refresh, once its lease has expired, exactly once more", async () => {
    const expired = await connectWithExpiredToken();
    const { id } = await account();
    // The holder's request reaches Google (and is counted) but is not answered for 5 s.
    await emulator.control.addFault({ endpoint: "token", mode: "respond", delayMs: 5_000 });
    const [successor, , holder] = workers!;
    const before = await tokenCalls();

    const killed = holder.run({ userIds: [userId], callers: 5, mode: "getAccessToken" });
    await until(async () => (await account()).refreshLeaseId !== null && (await tokenCalls()) - before === 1);
    await holder.kill();
    await expect(killed).rejects.toThrow(/SIGKILL/);
    const lease = await account();
    expect(lease.refreshLeaseId).not.toBeNull();
    expect(lease.refreshLeaseUntil!.getTime()).toBeGreaterThan(Date.now() + REFRESH_LEASE_MS / 2);

    const waiting = successor.run({ userIds: [userId], callers: 5, mode: "getAccessToken" });
    await sleep(700);
    expect((await tokenCalls()) - before).toBe(1);

    // The dead holder's lease would block everyone for REFRESH_LEASE_MS (60 s). Instead of waiting
    // that out, the test lets the time pass in the row: the same lease now ends 500 ms from now.
    const leaseEnds = Date.now() + 500;
    await test.db.account.update({
      where: { id, refreshLeaseId: lease.refreshLeaseId },
      data: { refreshLeaseUntil: new Date(leaseEnds) },
    });
    const results = await waiting;

    const token = expectOneToken(results, expired);
    expect(Math.min(...results.map(endOf))).toBeGreaterThanOrEqual(leaseEnds);
    expect((await tokenCalls()) - before).toBe(2);
    expect(await storedToken()).toBe(token);
    expect((await account()).refreshLeaseId).toBeNull();
  });
});
