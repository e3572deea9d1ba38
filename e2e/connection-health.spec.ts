import Database from "better-sqlite3";
import type { Page } from "@playwright/test";
import { E2E } from "./e2e-config";
import { approveOnGoogle, googleEmulator } from "./fixtures";
import { expect, test } from "./signed-in";

// What the user sees of a connection's health (issue 9). How each state comes about with Google (the
// keep-alive finding a revoked grant, a renewal healing a server problem) is proven by the database
// tests against the emulator; here the state is written as those paths write it, and the pages are read.

test.use({ timezoneId: "Asia/Tokyo", locale: "en-US" });

const DAY_MS = 24 * 60 * 60_000;

/** A moment as the app's SQLite database stores it. */
const stored = (at: Date) => at.toISOString().replace("Z", "+00:00");

/** Sets columns of the user's Google account as the app's own code paths would. */
function updateAccount(email: string, columns: Record<string, string | null>) {
  const db = new Database(E2E.databaseFile, { fileMustExist: true });
  try {
    const names = Object.keys(columns);
    const { changes } = db
      .prepare(
        `UPDATE "Account" SET ${names.map((name) => `"${name}" = ?`).join(", ")} WHERE userId = (SELECT id FROM "User" WHERE email = ?)`,
      )
      .run(...names.map((name) => columns[name]), email);
    expect(changes).toBe(1);
  } finally {
    db.close();
  }
}

const banner = (page: Page) => page.getByRole("alert", { name: "Gmail connection" });
const quietBanner = (page: Page) => page.getByRole("status", { name: "Gmail connection" });
const successNotices = (page: Page) =>
  page.getByRole("status").filter({ hasText: /Gmail reconnected|Gmail connection restored/ });

test("a grant revoked at Google shows its cause and fix everywhere, and one reconnect restores it with one notice", async ({
  page,
  signedInUser: user,
}) => {
  await googleEmulator.call(`/users/${encodeURIComponent(user.email)}/revoke`, { body: {} });
  updateAccount(user.email, {
    status: "NEEDS_RECONNECT",
    statusReason: "REVOKED",
    statusChangedAt: stored(new Date()),
  });

  await page.goto("/dashboard");
  await expect(banner(page)).toContainText("Reconnect needed");
  await expect(banner(page)).toContainText("it was removed from your Google account");
  await expect(banner(page)).toContainText("Reconnect to give Evergreen access again.");
  const card = page.getByRole("region", { name: "Gmail connection" });
  await expect(card).toContainText("Google no longer accepts Evergreen's access to your Gmail");
  await expect(card).toContainText("Reconnect to give Evergreen access again.");

  // The banner's Reconnect comes back to the page it was used on.
  await banner(page).getByRole("button", { name: "Reconnect Gmail" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(successNotices(page)).toHaveText(
    `Gmail reconnected. Evergreen can send email from ${user.email} again.`,
  );
  await expect(banner(page)).toHaveCount(0);
  await expect(
    page.getByRole("region", { name: "Gmail connection" }).getByText("Connected", { exact: true }),
  ).toBeVisible();

  // Told once: the next page does not announce it again.
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Gmail connection" })).toBeVisible();
  await expect(successNotices(page)).toHaveCount(0);
});

test("a renewal that healed the connection is announced once, and the last renewal shows in the viewer's time", async ({
  page,
  signedInUser: user,
}) => {
  await page.goto("/settings");
  const renewedAt = new Date(Date.now() - 5 * 60_000);
  updateAccount(user.email, { lastRefreshedAt: stored(renewedAt), restoredAt: stored(renewedAt) });

  // A client-side navigation (and its prefetch) keeps the page's frame, so it neither shows nor spends the notice.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("heading", { name: /^Welcome/ })).toBeVisible();
  await expect(successNotices(page)).toHaveCount(0);
  await page.reload();
  await expect(successNotices(page)).toHaveText(
    `Gmail connection restored. Evergreen can send email from ${user.email} again.`,
  );
  await expect(quietBanner(page)).toHaveCount(0);
  const card = page.getByRole("region", { name: "Gmail connection" });
  const tokyo = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Tokyo" });
  await expect(card.getByRole("definition").filter({ has: page.locator("time") })).toHaveText(tokyo.format(renewedAt));

  await page.reload();
  await expect(page.getByRole("heading", { name: "Gmail connection" })).toBeVisible();
  await expect(successNotices(page)).toHaveCount(0);
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await expect(successNotices(page)).toHaveCount(0);
  const details = page.getByRole("region", { name: "Gmail connection" });
  await expect(details.getByRole("term").filter({ hasText: "Last renewed" })).toBeVisible();
  await expect(details.locator("time").first()).not.toContainText("UTC");
});

test("a server configuration problem is the operator's: named as such, nothing for the user to do, no reconnect", async ({
  page,
  signedInUser: user,
}) => {
  updateAccount(user.email, { refreshProblem: "CONFIGURATION", refreshProblemAt: stored(new Date()) });
  const words =
    "Evergreen's server could not renew access to Gmail because of a configuration problem; your administrator has been told.";

  await page.goto("/settings");
  const details = page.getByRole("region", { name: "Gmail connection" });
  await expect(details.getByText("Server configuration problem", { exact: true })).toBeVisible();
  await expect(details).toContainText(words);
  await expect(details).toContainText("Nothing for you to do.");
  await expect(details).not.toContainText("Reconnect needed");
  await expect(quietBanner(page)).toContainText(words);
  await expect(quietBanner(page).getByRole("button")).toHaveCount(0);
  await expect(quietBanner(page)).not.toContainText(/reconnect/i);
  await expect(banner(page)).toHaveCount(0);

  await page.goto("/dashboard");
  await expect(page.getByRole("region", { name: "Gmail connection" })).toContainText(words);
});

test("a Google outage during a renewal is a quiet note in settings, not an error", async ({
  page,
  signedInUser: user,
}) => {
  updateAccount(user.email, { refreshProblem: "TRANSIENT", refreshProblemAt: stored(new Date()) });

  await page.goto("/settings");
  const details = page.getByRole("region", { name: "Gmail connection" });
  await expect(details.getByText("Connected", { exact: true })).toBeVisible();
  await expect(details).toContainText("Google did not answer when Evergreen last tried to renew access");
  await expect(details).toContainText("Evergreen tries again on its own; nothing for you to do.");
  await expect(banner(page)).toHaveCount(0);
  await expect(quietBanner(page)).toHaveCount(0);
});

test("access Google ended after six months unused says so, with the fix", async ({ page, signedInUser: user }) => {
  updateAccount(user.email, { status: "NEEDS_RECONNECT", statusReason: "UNUSED_TOO_LONG" });

  await page.goto("/settings");
  await expect(banner(page)).toContainText("because it had not been used for six months");
  await expect(banner(page).getByRole("button", { name: "Reconnect Gmail" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Gmail connection" })).toContainText(
    "Reconnect to give Evergreen access again.",
  );
});

// The e2e app runs as a published ("production") OAuth client unless e2e-config.ts sets it to Testing.
const inTesting = (E2E.appEnv as Record<string, string | undefined>).GOOGLE_OAUTH_PUBLISHING_STATUS === "testing";

test("in Testing, the dashboard and settings count down to Google's 7-day cut, and re-approving starts again", async ({
  page,
  signedInUser: user,
}) => {
  test.skip(!inTesting, "needs GOOGLE_OAUTH_PUBLISHING_STATUS=testing in e2e/e2e-config.ts");
  updateAccount(user.email, { consentedAt: stored(new Date(Date.now() - 4.5 * DAY_MS)) });

  await page.goto("/dashboard");
  await expect(page.getByRole("group", { name: "Re-approve within 3 days" })).toBeVisible();
  await page.goto("/settings");
  const countdown = page.getByRole("group", { name: "Re-approve within 3 days" });
  await expect(countdown).toContainText("Google ends Gmail access 7 days after you approve it");

  await countdown.getByRole("button", { name: "Re-approve at Google" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page.getByRole("group", { name: "Re-approve within 7 days" })).toBeVisible();
});
