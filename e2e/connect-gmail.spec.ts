import { expect, test } from "@playwright/test";
import {
  approveOnGoogle,
  googleEmulator,
  rawDatabaseBytes,
  signInWithGoogle,
  signOut,
  storedAccount,
} from "./fixtures";

test.afterEach(async () => {
  await googleEmulator.configure({ withholdRefreshTokens: false });
  await googleEmulator.call("/faults", { method: "DELETE" });
});

test("the first sign-in, granting everything, connects Gmail with the refresh token stored encrypted", async ({
  page,
}) => {
  const user = await googleEmulator.createUser("first");
  await signInWithGoogle(page, user.email);

  await expect(page).toHaveURL(/\/dashboard$/);
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

test("signing out and in again keeps Gmail connected and never loses the refresh token", async ({ page }) => {
  const user = await googleEmulator.createUser("again");
  await signInWithGoogle(page, user.email);
  await signOut(page);

  await signInWithGoogle(page, user.email);
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  const issued = await googleEmulator.tokensOf(user.email);
  // prompt=consent shows the consent screen again, so Google issues a fresh refresh token every time.
  expect(issued.refreshTokens).toHaveLength(2);
  const stored = storedAccount(user.email);
  expect(stored.status).toBe("CONNECTED");
  expect(issued.refreshTokens.filter((token) => token.alive).map((token) => token.token)).toContain(
    stored.refreshToken,
  );

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("list", { name: "Connection events" })).toContainText("Signed in");
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
  await signInWithGoogle(page, user.email);

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
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/sign-in$/);

  const user = await googleEmulator.createUser("cookie");
  await signInWithGoogle(page, user.email);
  const session = (await context.cookies()).find((cookie) => cookie.name.endsWith("authjs.session-token"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
});

test("a crafted callbackUrl cannot send the user to another site after sign-in", async ({ page }) => {
  const user = await googleEmulator.createUser("redirect");
  await page.goto("/sign-in?callbackUrl=https%3A%2F%2Fevil.example.net%2Fphish");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(/localhost:3100\/dashboard$/);
});
