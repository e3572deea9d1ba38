import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { E2E } from "./e2e-config";
import {
  approveOnGoogle,
  googleEmulator,
  rawDatabaseBytes,
  signInWithGoogle,
  signOut,
  storedAccount,
} from "./fixtures";

/** Every page load the browser asked for, redirect hops included, and every screen Google showed. */
function watchNavigation(page: Page) {
  const requests: URL[] = [];
  const googleScreens: string[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest()) requests.push(new URL(request.url()));
  });
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (response.request().isNavigationRequest() && url.origin === E2E.emulatorUrl && response.status() === 200)
      googleScreens.push(url.pathname);
  });
  return {
    googleScreens,
    /** The parameters of each authorization Evergreen started at Google. */
    authorizations: () =>
      requests
        .filter((url) => url.origin === E2E.emulatorUrl && url.pathname === "/o/oauth2/v2/auth")
        .map((url) => url.searchParams),
    appPaths: () => requests.filter((url) => url.origin === new URL(E2E.appUrl).origin).map((url) => url.pathname),
  };
}

const consentsGiven = async () =>
  (await googleEmulator.call<{ calls: Record<string, number> }>("/calls")).calls["authorize.consent"] ?? 0;

async function googleSubOf(email: string): Promise<string> {
  const { users } = await googleEmulator.call<{ users: Array<{ email: string; sub: string }> }>("/users");
  return users.find((user) => user.email === email)!.sub;
}

function refreshTokenState(email: string) {
  return googleEmulator.tokensOf(email).then(({ refreshTokens }) => ({
    issued: refreshTokens.length,
    alive: refreshTokens.filter((token) => token.alive).map((token) => token.token),
  }));
}

test.afterEach(async () => {
  await googleEmulator.configure({ withholdRefreshTokens: false });
  await googleEmulator.call("/faults", { method: "DELETE" });
});

test("the first sign-in, granting everything, connects Gmail with the refresh token stored encrypted", async ({
  page,
}) => {
  const user = await googleEmulator.createUser("first");
  const google = watchNavigation(page);
  await signInWithGoogle(page, user.email);

  await expect(page).toHaveURL(/\/dashboard$/);
  expect(google.authorizations()).toHaveLength(1);
  expect(google.authorizations()[0]!.get("prompt")).toBe("consent");
  expect(google.authorizations()[0]!.get("access_type")).toBe("offline");
  expect(google.googleScreens).toHaveLength(2); // the account chooser, then consent
  await expect(page.getByRole("heading", { name: "Welcome, E2E" })).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByRole("alert", { name: "Gmail connection" })).toHaveCount(0);
  await expect(page.getByRole("status", { name: "Gmail connection" })).toHaveCount(0);

  const issued = await googleEmulator.tokensOf(user.email);
  expect(issued.refreshTokens).toHaveLength(1);
  const stored = storedAccount(user.email);
  expect(stored.status).toBe("CONNECTED");
  // Ciphertext in the database, the emulator's token once decrypted with the app's key.
  expect(stored.refresh_token).toMatch(/^ev1\.e2e\./);
  expect(stored.refresh_token).not.toContain(issued.refreshTokens[0]!.token);
  expect(stored.refreshToken).toBe(issued.refreshTokens[0]!.token);
  // And nowhere in the raw database file (tables, indexes, write-ahead log) is a token in plaintext.
  const raw = rawDatabaseBytes();
  for (const token of [...issued.refreshTokens, ...issued.accessTokens]) expect(raw.includes(token.token)).toBe(false);
});

test("signing in again skips Google's consent screen and keeps the one refresh token, still alive", async ({
  page,
}) => {
  const user = await googleEmulator.createUser("again");
  await signInWithGoogle(page, user.email);
  await signOut(page);
  const before = { stored: storedAccount(user.email).refreshToken, consents: await consentsGiven() };

  const google = watchNavigation(page);
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  // Google was asked for offline access without prompt=consent, for the account this browser last used,
  // and showed no screen at all: no account chooser, no "Allow".
  expect(google.authorizations()).toHaveLength(1);
  expect(google.authorizations()[0]!.get("prompt")).toBeNull();
  expect(google.authorizations()[0]!.get("access_type")).toBe("offline");
  expect(google.authorizations()[0]!.get("login_hint")).toBe(await googleSubOf(user.email));
  expect(google.googleScreens).toEqual([]);
  expect(await consentsGiven()).toBe(before.consents);

  const stored = storedAccount(user.email);
  expect(stored.status).toBe("CONNECTED");
  expect(stored.refreshToken).toBe(before.stored);
  expect(await refreshTokenState(user.email)).toEqual({ issued: 1, alive: [before.stored] });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("list", { name: "Connection events" })).toContainText("Signed in");
});

test("signing in again after the user removed Evergreen at Google shows consent and stores the new refresh token", async ({
  page,
}) => {
  const user = await googleEmulator.createUser("revoked");
  await signInWithGoogle(page, user.email);
  await signOut(page);
  const old = storedAccount(user.email).refreshToken;
  await googleEmulator.call(`/users/${encodeURIComponent(user.email)}/revoke`, { body: {} });

  const google = watchNavigation(page);
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByRole("alert", { name: "Gmail connection" })).toHaveCount(0);
  expect(google.authorizations().map((params) => params.get("prompt"))).toEqual(["consent"]);

  const stored = storedAccount(user.email);
  expect(stored.status).toBe("CONNECTED");
  expect(stored.refreshToken).not.toBe(old);
  expect(await refreshTokenState(user.email)).toEqual({ issued: 2, alive: [stored.refreshToken] });
});

test("a sign-in that comes back without a usable refresh token goes once, at once, through consent", async ({
  page,
}) => {
  const user = await googleEmulator.createUser("roundtrip");
  await signInWithGoogle(page, user.email);
  await signOut(page);
  // Evergreen knows the stored token is dead while Google still holds the grant (so Google would skip consent).
  const db = new Database(E2E.databaseFile, { fileMustExist: true });
  db.prepare(`UPDATE "Account" SET status = 'NEEDS_RECONNECT', statusReason = 'REVOKED' WHERE id = ?`).run(
    storedAccount(user.email).id,
  );
  db.close();
  // A sign-in that reaches Google without prompt=consent (Auth.js's own endpoint sends none).
  await page.route(
    `${E2E.emulatorUrl}/o/oauth2/v2/auth?*`,
    (route) => {
      const url = new URL(route.request().url());
      url.searchParams.delete("prompt");
      return route.continue({ url: url.toString() });
    },
    { times: 1 },
  );

  const google = watchNavigation(page);
  const consents = await consentsGiven();
  await page.goto("/sign-in?callbackUrl=%2Fsettings");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await approveOnGoogle(page, user.email);
  // Back where the sign-in was headed, connected.
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByText("Connected", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("alert", { name: "Gmail connection" })).toHaveCount(0);
  expect(google.appPaths()).toContain("/sign-in/consent");
  expect(google.authorizations().at(-1)?.get("prompt")).toBe("consent");
  expect((await consentsGiven()) - consents).toBe(1);

  const stored = storedAccount(user.email);
  expect(stored.status).toBe("CONNECTED");
  expect((await refreshTokenState(user.email)).alive).toContain(stored.refreshToken);
  expect((await refreshTokenState(user.email)).issued).toBe(2);
});

test("Reconnect always shows Google's consent screen, even for a healthy connection", async ({ page }) => {
  const user = await googleEmulator.createUser("reconnect");
  await signInWithGoogle(page, user.email);
  await page.goto("/settings");

  const google = watchNavigation(page);
  await page.getByRole("button", { name: "Reconnect Gmail" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page.getByText("Gmail reconnected.")).toBeVisible();
  expect(google.authorizations().map((params) => params.get("prompt"))).toEqual(["consent"]);
  expect((await refreshTokenState(user.email)).issued).toBe(2);
  expect(storedAccount(user.email).status).toBe("CONNECTED");
});

test("“Use another Google account” asks Google which account, with consent", async ({ page }) => {
  const first = await googleEmulator.createUser("first-account");
  const second = await googleEmulator.createUser("second-account");
  await signInWithGoogle(page, first.email);
  await signOut(page);

  const google = watchNavigation(page);
  await page.getByRole("button", { name: "Use another Google account" }).click();
  await expect(page.getByRole("heading", { name: "Choose an account" })).toBeVisible();
  await approveOnGoogle(page, second.email);
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(google.authorizations().map((params) => params.get("prompt"))).toEqual(["consent select_account"]);
  expect(storedAccount(second.email).status).toBe("CONNECTED");
});

test("unticking “Send email on your behalf” shows the missing permission, and reconnecting with it ticked fixes it", async ({
  page,
}) => {
  const user = await googleEmulator.createUser("scope");
  await signInWithGoogle(page, user.email, { untickSend: true });

  const banner = page.getByRole("status", { name: "Gmail connection" });
  await expect(banner).toContainText("Sending permission missing");
  await expect(banner).toContainText("“Send email on your behalf” was not ticked");
  expect(storedAccount(user.email)).toMatchObject({ status: "MISSING_SCOPE", statusReason: "SCOPE_UNTICKED" });

  await page.goto("/settings");
  await banner.getByRole("button", { name: "Reconnect Gmail" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(/\/settings\?notice=reconnected$/);
  await expect(page.getByText(`Gmail reconnected. Evergreen can send email from ${user.email} again.`)).toBeVisible();
  await expect(page.getByRole("status", { name: "Gmail connection" })).toHaveCount(0);
  await expect(page.getByText("Send email on your behalf", { exact: false }).first()).toBeVisible();
  expect(storedAccount(user.email).status).toBe("CONNECTED");
});

test("when Google returns no refresh token, the user is told at once, with the fix", async ({ page }) => {
  await googleEmulator.configure({ withholdRefreshTokens: true });
  const user = await googleEmulator.createUser("norefresh");
  const consents = await consentsGiven();
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await page.getByRole("button", { name: new RegExp(user.email.replace(/[.+]/g, "\\$&")) }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  // Evergreen goes through consent once more by itself, for the same account, and only once.
  await page.waitForURL((url) => url.origin === E2E.emulatorUrl && url.searchParams.has("login_hint"));
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(/\/dashboard$/);
  expect((await consentsGiven()) - consents).toBe(2);

  const banner = page.getByRole("alert", { name: "Gmail connection" });
  await expect(banner).toContainText("Reconnect needed");
  await expect(banner).toContainText("did not grant lasting access (no refresh token)");
  expect(storedAccount(user.email)).toMatchObject({
    status: "NEEDS_RECONNECT",
    statusReason: "NO_REFRESH_TOKEN",
    refresh_token: null,
  });

  await googleEmulator.configure({ withholdRefreshTokens: false });
  await banner.getByRole("button", { name: "Reconnect Gmail" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page.getByText("Gmail reconnected.")).toBeVisible();
  expect(storedAccount(user.email).status).toBe("CONNECTED");
});

test("disconnect revokes the grant at Google and shows Gmail disconnected", async ({ page }) => {
  const user = await googleEmulator.createUser("disconnect");
  await signInWithGoogle(page, user.email);
  await page.goto("/settings");

  await page.getByRole("button", { name: "Disconnect Gmail" }).click();
  await page.getByRole("button", { name: "Yes, disconnect Gmail" }).click();
  await expect(page.getByText("Gmail disconnected. Google confirmed Evergreen's access is revoked.")).toBeVisible();
  await expect(page.getByText("Disconnected", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("status", { name: "Gmail connection" })).toContainText("You disconnected Gmail");
  await expect(page.getByText("None: disconnected")).toBeVisible();

  const issued = await googleEmulator.tokensOf(user.email);
  expect(issued.refreshTokens.every((token) => !token.alive && token.revokedAt)).toBe(true);
  expect(storedAccount(user.email)).toMatchObject({
    status: "DISCONNECTED",
    refresh_token: null,
    access_token: null,
    id_token: null,
  });
});

test("disconnect while Google is unreachable still disconnects, and says the revoke will be retried", async ({
  page,
}) => {
  const user = await googleEmulator.createUser("offline");
  await signInWithGoogle(page, user.email);
  await googleEmulator.call("/faults", { body: { endpoint: "revoke", count: 10, mode: "drop-before" } });
  await page.goto("/settings");

  await page.getByRole("button", { name: "Disconnect Gmail" }).click();
  await page.getByRole("button", { name: "Yes, disconnect Gmail" }).click();
  await expect(
    page.getByText("Google could not be reached to revoke access. Evergreen will keep retrying"),
  ).toBeVisible();
  await expect(
    page.getByText("Google has not yet confirmed that Evergreen's earlier access is revoked."),
  ).toBeVisible();
  expect(storedAccount(user.email)).toMatchObject({ status: "DISCONNECTED", refresh_token: null });
});

test("signed-out visitors are sent to sign in, and the session cookie is HttpOnly and SameSite=Lax", async ({
  page,
  context,
}) => {
  await page.goto("/settings?from=bookmark");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings%3Ffrom%3Dbookmark$/);
  await expect(page.getByRole("status")).toContainText("Sign in to continue");
  // The automatic consent round trip starts only when a sign-in's callback asked for it.
  await page.goto("/sign-in/consent");
  await expect(page).toHaveURL(/\/sign-in$/);

  const user = await googleEmulator.createUser("cookie");
  await signInWithGoogle(page, user.email);
  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name.endsWith("authjs.session-token"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  // The account this browser signed in with, remembered to skip consent next time: signed, no secret, no address.
  const remembered = cookies.find((cookie) => cookie.name === "evergreen.google-account");
  expect(remembered).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  expect(remembered!.value).not.toContain(user.email);
});

test("a crafted callbackUrl cannot send the user to another site after sign-in", async ({ page }) => {
  const user = await googleEmulator.createUser("redirect");
  await page.goto("/sign-in?callbackUrl=https%3A%2F%2Fevil.example.net%2Fphish");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(/localhost:3100\/dashboard$/);
});
