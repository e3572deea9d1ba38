import Database from "better-sqlite3";
import type { Page } from "@playwright/test";
import { E2E } from "./e2e-config";
import { approveOnGoogle, googleEmulator, storedAccount } from "./fixtures";
import { expect, test } from "./signed-in";

// Attacks on the Gmail connection (issue 7) that a user sees in the browser.

test.afterEach(async () => {
  await googleEmulator.call("/faults", { method: "DELETE" });
});

function appDatabase() {
  return new Database(E2E.databaseFile, { fileMustExist: true });
}

function pendingRevocationsOf(email: string): number {
  const db = appDatabase();
  try {
    const row = db
      .prepare(`SELECT count(*) AS n FROM "PendingRevocation" p JOIN "User" u ON u.id = p.userId WHERE u.email = ?`)
      .get(email) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

async function disconnect(page: Page) {
  await page.goto("/settings");
  await page.getByRole("button", { name: "Disconnect Gmail" }).click();
  await page.getByRole("button", { name: "Yes, disconnect Gmail" }).click();
}

test("a revoke still queued when the user connects again never ends the new connection", async ({
  page,
  signedInUser: user,
}) => {
  await googleEmulator.call("/faults", { body: { endpoint: "revoke", count: 10, mode: "drop-before" } });
  await disconnect(page);
  await expect(page.getByText("Google could not be reached to revoke access")).toBeVisible();
  expect(pendingRevocationsOf(user.email)).toBe(1);
  await googleEmulator.call("/faults", { method: "DELETE" });

  await page.getByRole("button", { name: "Connect Gmail" }).first().click();
  await approveOnGoogle(page, user.email);
  await expect(page.getByText(`Gmail reconnected. Evergreen can send email from ${user.email} again.`)).toBeVisible();
  // The user granted access again: there is nothing left to revoke, so nothing is queued to kill the new grant.
  await expect(page.getByText("Google has not yet confirmed")).toHaveCount(0);
  expect(pendingRevocationsOf(user.email)).toBe(0);
  const stored = storedAccount(user.email);
  const issued = await googleEmulator.tokensOf(user.email);
  expect(issued.refreshTokens.find((token) => token.token === stored.refreshToken)?.alive).toBe(true);
});

test("reconnecting with another Google account is refused, naming both addresses, and nothing of it is kept", async ({
  page,
  signedInUser: user,
}) => {
  const other = await googleEmulator.createUser("other");
  await page.goto("/settings");

  // Google lets the user pick "Use another account" even when Evergreen hints the connected one.
  await page.route(`${E2E.emulatorUrl}/o/oauth2/v2/auth?*`, (route) => {
    const url = new URL(route.request().url());
    url.searchParams.delete("login_hint");
    return route.continue({ url: url.toString() });
  });
  await page.getByRole("button", { name: "Reconnect Gmail" }).click();
  await approveOnGoogle(page, other.email);

  const refusal = page.getByRole("alert").filter({ hasText: "Google returned" });
  await expect(refusal).toContainText(`Google returned ${other.email}, but your Gmail connection is ${user.email}`);
  await expect(refusal).toContainText("disconnect Gmail first");
  await expect(page.getByText("Gmail reconnected")).toHaveCount(0);
  expect(() => storedAccount(other.email)).toThrow(/no account stored/);
  // The grant Google issued for the refused account is not left live.
  expect((await googleEmulator.tokensOf(other.email)).refreshTokens.some((token) => token.alive)).toBe(false);

  await page.unrouteAll();
  await disconnect(page);
  await expect(page.getByText("Gmail disconnected. Google confirmed Evergreen's access is revoked.")).toBeVisible();
  expect((await googleEmulator.tokensOf(user.email)).refreshTokens.some((token) => token.alive)).toBe(false);
});

test("a stored token no key can open shows “Reconnect needed”, and disconnect tells the truth", async ({
  page,
  signedInUser: user,
}) => {
  const stored = storedAccount(user.email);
  const db = appDatabase();
  db.prepare(`UPDATE "Account" SET refresh_token = ? WHERE id = ?`).run(
    stored.refresh_token!.replace(/^ev1\.e2e\./, "ev1.retired."),
    stored.id,
  );
  db.close();

  await page.goto("/dashboard");
  const banner = page.getByRole("alert", { name: "Gmail connection" });
  await expect(banner).toContainText("Reconnect needed");
  await expect(banner).toContainText("Stored credentials unreadable");

  await disconnect(page);
  await expect(
    page.getByText("Evergreen could not revoke its access at Google because its stored credentials were unreadable"),
  ).toBeVisible();
  await expect(page.getByText("Google Account → Security → Third-party access").first()).toBeVisible();
  await expect(page.getByText("will keep retrying")).toHaveCount(0);
  const html = await page.content();
  expect(html).not.toContain("TOKEN_ENCRYPTION_KEYS");
  expect(html).not.toContain("retired");
  expect(pendingRevocationsOf(user.email)).toBe(0);
});

test("a Reconnect with “Send email on your behalf” unticked keeps the earlier access, which can still send, and says so", async ({
  page,
  signedInUser: user,
}) => {
  const before = storedAccount(user.email);
  await page.goto("/settings");
  await page.getByRole("button", { name: "Reconnect Gmail" }).click();
  await approveOnGoogle(page, user.email, { untickSend: true });

  await expect(page).toHaveURL(/\/settings\?notice=reconnected$/);
  const kept =
    "You reconnected without ticking “Send email on your behalf”; Evergreen kept your earlier access, which can still send.";
  await expect(page.getByRole("status").filter({ hasText: kept })).toBeVisible();
  await expect(page.getByRole("list", { name: "Connection events" })).toContainText(kept);
  const details = page.getByRole("region", { name: "Gmail connection" });
  await expect(details.getByText("Connected", { exact: true })).toBeVisible();
  await expect(details.getByRole("definition").filter({ hasText: "Send email on your behalf" })).toBeVisible();
  await expect(page.getByRole("status", { name: "Gmail connection" })).toHaveCount(0);
  expect(storedAccount(user.email)).toMatchObject({
    status: "CONNECTED",
    statusReason: null,
    refreshToken: before.refreshToken,
  });
  // The narrower approval's token is dropped, not revoked: Google's revoke would end the earlier grant too.
  const alive = (await googleEmulator.tokensOf(user.email)).refreshTokens.filter((token) => token.alive);
  expect(alive.map((token) => token.token)).toContain(before.refreshToken);
  expect(alive).toHaveLength(2);
});
