import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { takeRestoredNotice } from "./status";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { KEEP_ALIVE_IDLE_MS, KEEP_ALIVE_RETRY_MS, keepConnectionsAlive } from "./keep-alive";
import { linkGoogleAccount } from "./sign-in";

// The keep-alive job against the local Google, on a real database, with the app's clock and Google's moved together.

const google = setupEmulator();
const test = setupTestDatabase();
const IDLE_S = KEEP_ALIVE_IDLE_MS / 1000 + 60;
let subject = 0;
let clockOffsetS = 0;

function appDeps(overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    ...test.deps,
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
    now: () => new Date(Date.now() + clockOffsetS * 1000),
    ...overrides,
  };
}

async function advanceClock(seconds: number) {
  clockOffsetS += seconds;
  await google.control.advanceClock(seconds);
}

/** A new Evergreen user connects Gmail now (on the moved clock) with a Google account of their own. */
async function connectedUser(label: string) {
  subject += 1;
  const email = `${label}-${subject}@evergreen.test`;
  const { sub } = await google.control.addUser({ email });
  const { tokens } = await connect(google.url, { prompt: "consent", account: email });
  const userId = (await test.db.user.create({ data: { email } })).id;
  await linkGoogleAccount({ ...tokens, providerAccountId: sub, userId, type: "oidc", provider: "google" }, appDeps());
  return { email, userId };
}

const tokenCalls = async () => (await google.control.calls()).token ?? 0;
const accountOf = (userId: string) => test.db.account.findFirstOrThrow({ where: { userId } });

beforeEach(async () => {
  clockOffsetS = 0;
  // One job sweeps every account in the database; each test starts with none.
  await test.db.connectionEvent.deleteMany();
  await test.db.account.deleteMany();
});

describe("keepConnectionsAlive", () => {
  it("renews a connection idle for a week and leaves a recently approved one alone", async () => {
    const idle = await connectedUser("idle");
    await advanceClock(IDLE_S);
    const fresh = await connectedUser("fresh");
    const before = await tokenCalls();

    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 1, ended: 0, failed: 0 });

    expect((await tokenCalls()) - before).toBe(1);
    const renewed = await accountOf(idle.userId);
    expect(renewed).toMatchObject({ status: "CONNECTED", refreshProblem: null, refreshLeaseId: null });
    expect(renewed.lastRefreshedAt?.getTime()).toBeGreaterThan(Date.now() + (IDLE_S - 60) * 1000);
    expect((await accountOf(fresh.userId)).lastRefreshedAt).toBeNull();
  });

  it("finds a grant the user revoked at Google before any send does: Reconnect needed, cause revoked", async () => {
    const revoked = await connectedUser("revoked");
    await google.control.revokeAccess(revoked.email);
    await advanceClock(IDLE_S);

    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 0, ended: 1, failed: 0 });

    expect(await accountOf(revoked.userId)).toMatchObject({ status: "NEEDS_RECONNECT", statusReason: "REVOKED" });
    expect(await test.db.connectionEvent.count({ where: { userId: revoked.userId, kind: "REFRESH_FAILED" } })).toBe(1);
    // A connection that needs the user is no longer the job's: it does not ask Google again.
    const before = await tokenCalls();
    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 0, ended: 0, failed: 0 });
    expect(await tokenCalls()).toBe(before);
  });

  it("renews an account once when two runs overlap, and the next run finds it no longer due", async () => {
    await connectedUser("overlap");
    await connectedUser("overlap");
    await advanceClock(IDLE_S);
    const before = await tokenCalls();

    await Promise.all([keepConnectionsAlive(50, appDeps()), keepConnectionsAlive(50, appDeps())]);
    expect((await tokenCalls()) - before).toBe(2);

    await advanceClock(60);
    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 0, ended: 0, failed: 0 });
    expect((await tokenCalls()) - before).toBe(2);
  });

  it("takes at most `limit` accounts a run, the longest idle first", async () => {
    const oldest = await connectedUser("oldest");
    await advanceClock(60);
    const newer = await connectedUser("newer");
    await advanceClock(IDLE_S);

    expect(await keepConnectionsAlive(1, appDeps())).toEqual({ renewed: 1, ended: 0, failed: 0 });
    expect((await accountOf(oldest.userId)).lastRefreshedAt).not.toBeNull();
    expect((await accountOf(newer.userId)).lastRefreshedAt).toBeNull();
  });

  it("retries a server configuration problem hourly, not every run, and heals it once fixed", async () => {
    const user = await connectedUser("misconfigured");
    await advanceClock(IDLE_S);
    const misconfigured = appDeps({
      google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: "wrong-secret", baseUrl: google.url }),
    });
    expect(await keepConnectionsAlive(50, misconfigured)).toEqual({ renewed: 0, ended: 0, failed: 1 });
    expect(await accountOf(user.userId)).toMatchObject({ status: "CONNECTED", refreshProblem: "CONFIGURATION" });

    const before = await tokenCalls();
    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 0, ended: 0, failed: 0 });
    expect(await tokenCalls()).toBe(before);

    // The operator fixed the secret; within the hour the job proves it, and the user is told once.
    await advanceClock(KEEP_ALIVE_RETRY_MS / 1000 + 60);
    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 1, ended: 0, failed: 0 });
    expect(await accountOf(user.userId)).toMatchObject({ status: "CONNECTED", refreshProblem: null });
    expect(await takeRestoredNotice(user.userId, appDeps())).toMatchObject({ by: "renewal" });
    expect(await takeRestoredNotice(user.userId, appDeps())).toBeNull();
  });

  it("rides out Google being unavailable: nothing changes for the user, and the account is tried again later", async () => {
    const user = await connectedUser("outage");
    await advanceClock(IDLE_S);
    await google.control.addFault({ endpoint: "token", count: 20, status: 503 });

    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 0, ended: 0, failed: 1 });
    expect(await accountOf(user.userId)).toMatchObject({ status: "CONNECTED", refreshProblem: "TRANSIENT" });

    await google.control.clearFaults();
    await advanceClock(KEEP_ALIVE_RETRY_MS / 1000 + 60);
    expect(await keepConnectionsAlive(50, appDeps())).toEqual({ renewed: 1, ended: 0, failed: 0 });
    expect(await accountOf(user.userId)).toMatchObject({ status: "CONNECTED", refreshProblem: null });
  });
});
