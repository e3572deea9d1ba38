import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { ConnectionStatus } from "../platform/db";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import {
  hasProvenRefreshToken,
  openConsentRetry,
  openCookieValue,
  PROVEN_FOR_MS,
  sealConsentRetry,
  sealCookieValue,
  signInPrompt,
} from "./sign-in-prompt";
import { linkGoogleAccount } from "./sign-in";

// Whether a sign-in shows Google's consent screen, decided on a real database against the local Google.

const google = setupEmulator();
const test = setupTestDatabase();
let subject = 0;
let sub: string;

const app = (): AppDeps => ({
  ...test.deps,
  google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
});
const tokenCalls = async () => (await google.control.calls()).token ?? 0;
const account = () =>
  test.db.account.findUniqueOrThrow({
    where: { provider_providerAccountId: { provider: "google", providerAccountId: sub } },
  });

/** Ada signed in once (consent, refresh token stored); `lastRefreshedAt` as given. */
async function signedInBefore(lastRefreshedAt: Date | null, data: { status?: ConnectionStatus } = {}) {
  const { tokens } = await connect(google.url, { prompt: "consent" });
  const { id: userId } = await test.db.user.create({ data: { email: `prompt${subject}@evergreen.test` } });
  await linkGoogleAccount({ ...tokens, providerAccountId: sub, userId, type: "oidc", provider: "google" }, app());
  await test.db.account.update({ where: { id: (await account()).id }, data: { lastRefreshedAt, ...data } });
}

beforeEach(() => {
  subject += 1;
  sub = `${DEV_USER.sub}-${subject}`;
});

describe("signInPrompt", () => {
  it("asks for consent when the browser names no account: a first connect, or a new browser", async () => {
    expect(await signInPrompt(undefined, {}, app())).toEqual({ prompt: "consent" });
  });

  it("asks for consent and the account chooser when the user wants another account", async () => {
    await signedInBefore(new Date());
    expect(await signInPrompt(sub, { anotherAccount: true }, app())).toEqual({ prompt: "consent select_account" });
  });

  it("asks for consent, hinting the account, when Evergreen has no connection for it", async () => {
    expect(await signInPrompt("no-such-sub", {}, app())).toEqual({ prompt: "consent", login_hint: "no-such-sub" });
  });

  it("skips consent without asking Google when the token was refreshed within the hour", async () => {
    await signedInBefore(new Date(Date.now() - PROVEN_FOR_MS + 60_000));
    const before = await tokenCalls();
    expect(await signInPrompt(sub, {}, app())).toEqual({ login_hint: sub });
    expect(await tokenCalls()).toBe(before);
  });

  it("proves an older token with one refresh now, and then skips consent", async () => {
    await signedInBefore(null);
    const before = await tokenCalls();
    expect(await signInPrompt(sub, {}, app())).toEqual({ login_hint: sub });
    expect((await tokenCalls()) - before).toBe(1);
    expect((await account()).lastRefreshedAt).not.toBeNull();
  });

  it("asks for consent when that refresh shows the grant was revoked, and records it", async () => {
    await signedInBefore(new Date(Date.now() - 2 * PROVEN_FOR_MS));
    await google.control.revokeAccess(DEV_USER.email);
    expect(await signInPrompt(sub, {}, app())).toEqual({ prompt: "consent", login_hint: sub });
    expect(await account()).toMatchObject({ status: "NEEDS_RECONNECT", statusReason: "REVOKED" });
  });

  it("asks for consent when Google cannot be reached to prove the token: unknown is not healthy", async () => {
    await signedInBefore(null);
    await google.control.addFault({ endpoint: "token", count: 5, status: 503 });
    expect(await signInPrompt(sub, {}, app())).toEqual({ prompt: "consent", login_hint: sub });
    expect((await account()).status).toBe("CONNECTED");
  });

  it.each<[string, Record<string, unknown>]>([
    ["needs reconnecting", { status: "NEEDS_RECONNECT", statusReason: "REVOKED" }],
    ["lacks the send permission", { status: "MISSING_SCOPE", statusReason: "SCOPE_UNTICKED" }],
    ["was disconnected", { status: "DISCONNECTED", statusReason: null }],
    ["has no refresh token", { refresh_token: null }],
    ["has a send scope no longer granted", { scope: "openid email profile" }],
  ])("asks for consent, without calling Google, when the connection %s", async (_, change) => {
    await signedInBefore(new Date());
    await test.db.account.update({ where: { id: (await account()).id }, data: change });
    const before = await tokenCalls();
    expect(await signInPrompt(sub, {}, app())).toEqual({ prompt: "consent", login_hint: sub });
    expect(await tokenCalls()).toBe(before);
  });

  it("asks for consent when the stored refresh token cannot be opened", async () => {
    await signedInBefore(new Date());
    const { id } = await account();
    const { refresh_token } = await test.db.account.findUniqueOrThrow({
      where: { id },
      select: { refresh_token: true },
    });
    await test.db.account.update({
      where: { id },
      data: { refresh_token: refresh_token!.replace(/^ev1\.k1\./, "ev1.gone.") },
    });
    expect(await hasProvenRefreshToken(sub, app())).toBe(false);
  });
});

describe("sealed cookie values", () => {
  const secret = "a-test-secret-that-is-long-enough-0123456789";

  it("open to what was sealed, for the same purpose and secret only", () => {
    const sealed = sealCookieValue("remembered-account", sub, secret);
    expect(sealed).not.toContain(sub);
    expect(openCookieValue("remembered-account", sealed, secret)).toBe(sub);
    expect(openCookieValue("consent-retry", sealed, secret)).toBeUndefined();
    expect(openCookieValue("remembered-account", sealed, `${secret}x`)).toBeUndefined();
  });

  it("refuse a forged or damaged value, so it cannot name an account", () => {
    const sealed = sealCookieValue("remembered-account", sub, secret);
    const [, tag] = sealed.split(".");
    const forged = `${Buffer.from("someone-else").toString("base64url")}.${tag}`;
    for (const value of [forged, `${sealed}x`, sealed.split(".")[0], "", undefined, `${sealed}.more`])
      expect(openCookieValue("remembered-account", value, secret)).toBeUndefined();
  });

  it("carry a consent retry's hint and return path", () => {
    const retry = { loginHint: sub, redirectTo: "/contacts?page=2" };
    expect(openConsentRetry(sealConsentRetry(retry, secret), secret)).toEqual(retry);
    expect(openConsentRetry(sealCookieValue("consent-retry", "{}", secret), secret)).toBeUndefined();
  });
});
