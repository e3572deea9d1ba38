import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { GoogleUnavailableError } from "../google/oauth";
import { getAccessToken } from "./tokens";
import { applyGoogleSignIn, linkGoogleAccount } from "./sign-in";

// The refresh lease's writes are fenced: a refresh that answers after the grant it used was replaced
// (a reconnect meanwhile) neither overwrites the new tokens nor calls the new connection dead.

const google = setupEmulator();
const test = setupTestDatabase();
let userId: string;
let run = 0;

const googleConfig = () => ({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });
const providerAccountId = () => `${DEV_USER.sub}-refresh-fencing-${run}`;

/** The app's deps against this file's local Google, telling when a refresh reaches it. */
function appWatchingRefresh() {
  const real = googleGateway(googleConfig());
  let started!: () => void;
  const refreshStarted = new Promise<void>((resolve) => (started = resolve));
  const deps: AppDeps = {
    ...test.deps,
    google: { ...real, refresh: (token) => (started(), real.refresh(token)) },
  };
  return { deps, refreshStarted };
}

async function consent(deps: AppDeps, first: boolean) {
  const { tokens } = await connect(google.url, { prompt: "consent" });
  const signIn = { ...tokens, providerAccountId: providerAccountId(), expires_at: Math.floor(Date.now() / 1000) - 60 };
  if (first) await linkGoogleAccount({ ...signIn, userId, type: "oidc", provider: "google" }, deps);
  else await applyGoogleSignIn(signIn, {}, deps);
}

beforeEach(async () => {
  run += 1;
  userId = (await test.db.user.create({ data: { email: `refresh-fencing${run}@evergreen.test` } })).id;
});

describe("a refresh whose grant is replaced while Google takes its time", () => {
  it("does not call the new connection dead when Google refuses the old grant", async () => {
    const app = appWatchingRefresh();
    await consent(app.deps, true);
    await google.control.addFault({ endpoint: "token", count: 1, delayMs: 2_000 });

    const slowRefresh = getAccessToken(userId, app.deps);
    await app.refreshStarted;
    // While the refresh waits at Google, Ada removes the old access there and connects again.
    await google.control.revokeAccess(DEV_USER.email);
    await consent(test.deps, false);

    await expect(slowRefresh).rejects.toBeInstanceOf(GoogleUnavailableError);
    const account = await test.db.account.findFirstOrThrow({ where: { userId } });
    expect(account).toMatchObject({ status: "CONNECTED", statusReason: null });
    expect(await test.db.connectionEvent.count({ where: { userId, kind: "REFRESH_FAILED" } })).toBe(0);
    // The new grant works: the next call refreshes with it.
    await expect(getAccessToken(userId, appWatchingRefresh().deps)).resolves.toEqual(expect.any(String));
  });

  it("still reports a grant Google ended when nothing replaced it", async () => {
    const app = appWatchingRefresh();
    await consent(app.deps, true);
    await google.control.revokeAccess(DEV_USER.email);

    await expect(getAccessToken(userId, app.deps)).rejects.toMatchObject({ status: "NEEDS_RECONNECT" });
    expect(await test.db.account.findFirstOrThrow({ where: { userId } })).toMatchObject({
      status: "NEEDS_RECONNECT",
      statusReason: "REVOKED",
    });
  });
});
