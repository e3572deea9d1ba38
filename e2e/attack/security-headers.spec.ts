import type { APIResponse, Page, Response } from "@playwright/test";
import Database from "better-sqlite3";
import { E2E } from "../e2e-config";
import { startExtraServer } from "../extra-server";
import { approveOnGoogle, googleEmulator } from "../fixtures";
import { expect, test } from "../signed-in";

// Issue 12, item 5: every page works under a strict CSP with a fresh nonce per request, and Chromium
// reports no violation of it, nor of the other security headers, while a user clicks through.

type Violation = { directive: string; blocked: string; source: string };

/**
 * Collects what Chromium refused on this page: `securitypolicyviolation` events in every frame, console
 * messages about a policy, and uncaught errors (a blocked chunk breaks hydration).
 */
async function watchForViolations(page: Page) {
  const problems: string[] = [];
  await page.exposeBinding("__reportViolation", ({ frame }, violation: Violation) => {
    problems.push(`${frame.url()}: ${violation.directive} blocked ${violation.blocked} (${violation.source})`);
  });
  await page.addInitScript(() => {
    const report = (window as unknown as { __reportViolation(v: Violation): void }).__reportViolation;
    document.addEventListener("securitypolicyviolation", (event) =>
      report({ directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile }),
    );
  });
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to|Permissions.Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

/** The directives of a response's policy, as a browser splits them. */
function directives(response: Response | APIResponse): Map<string, string[]> {
  const policy = response.headers()["content-security-policy"] ?? "";
  return new Map(
    policy.split(";").map((directive) => {
      const [name = "", ...sources] = directive.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

function nonceOf(response: Response | APIResponse): string {
  const nonce = directives(response)
    .get("script-src")
    ?.map((source) => /^'nonce-(.+)'$/.exec(source)?.[1])
    .find(Boolean);
  expect(nonce, `${response.url()} has a script nonce`).toBeDefined();
  return nonce!;
}

/** A page's document response carries every header, and each of its scripts this response's nonce. */
async function expectHardened(response: Response | null) {
  expect(response, "a document response").not.toBeNull();
  const headers = response!.headers();
  const policy = directives(response!);
  expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${nonceOf(response!)}'`, "'strict-dynamic'"]);
  expect(policy.get("style-src")).toEqual(["'self'"]);
  expect(policy.get("object-src")).toEqual(["'none'"]);
  expect(policy.get("base-uri")).toEqual(["'none'"]);
  expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["permissions-policy"]).toMatch(/camera=\(\).*microphone=\(\)/);

  const html = await response!.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
  expect(scripts.length, `${response!.url()} has Next.js's scripts`).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, response!.url()).toContain(` nonce="${nonceOf(response!)}"`);
}

/** Visits a page as a user would and proves it was hydrated: a client-side link works. */
async function visit(page: Page, path: string, heading: string | RegExp) {
  await expectHardened(await page.goto(path));
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
}

test("signed out: home, sign-in and a missing page work with no violation, and sign-in reaches Google", async ({
  page,
}) => {
  const problems = await watchForViolations(page);
  await visit(page, "/", "Connect Gmail once. Keep sending.");
  // A client-side navigation: the page's scripts ran.
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await visit(page, "/sign-in", "Sign in");

  const missing = await page.goto("/no-such-page");
  expect(missing?.status()).toBe(404);
  await expectHardened(missing);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

  // The whole round trip: a server action, a redirect to Google, its screens, the callback.
  const user = await googleEmulator.createUser("csp-sign-in");
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(`${E2E.appUrl}/dashboard`);
  await expect(page.getByRole("heading", { level: 1, name: /Welcome/ })).toBeVisible();
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the sign-in form's redirect to Google is allowed by form-action, and Google's back too", async ({ page }) => {
    const problems = await watchForViolations(page);
    const user = await googleEmulator.createUser("csp-no-js");
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Continue with Google" }).click();
    await approveOnGoogle(page, user.email);
    await expect(page).toHaveURL(`${E2E.appUrl}/dashboard`);
    expect(problems).toEqual([]);
  });
});

test("signed in: every page works with no violation while the user creates, edits, imports and composes", async ({
  page,
  signedInUser: user,
}) => {
  const problems = await watchForViolations(page);
  await visit(page, "/dashboard", /Welcome/);

  await visit(page, "/contacts/new", "Add a contact");
  await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("ada@example.com");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeVisible();
  const contactPath = new URL(page.url()).pathname;
  await visit(page, contactPath, "Ada Lovelace");
  await visit(page, `${contactPath}/edit`, "Edit Ada Lovelace");
  await page.getByLabel("Company").fill("Analytical Engines");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Analytical Engines");

  await visit(page, "/contacts", "Contacts");
  await page.getByRole("searchbox", { name: "Search contacts" }).fill("lovelace");
  await page.getByRole("searchbox", { name: "Search contacts" }).press("Enter");
  await expect(page).toHaveURL(/\?q=lovelace$/);
  await expect(page.getByRole("table", { name: "Contacts" }).getByRole("link", { name: "Ada Lovelace" })).toBeVisible();

  await visit(page, "/contacts/import", "Import contacts");
  await page.getByLabel("Or paste the CSV text").fill("name,email\nGrace Hopper,grace@navy.test");
  await page.getByRole("button", { name: "Preview import" }).click();
  await expect(page.getByRole("region", { name: "Preview: nothing is saved yet" })).toBeVisible();

  await visit(page, "/compose", "New message");
  await expect(page.getByText(`Sending from ${user.email} via Gmail`)).toBeVisible();
  const to = page.getByLabel("To", { exact: true });
  await to.fill("grace@navy.test");
  await to.press("Enter");
  await expect(page.getByRole("button", { name: "Remove grace@navy.test", exact: true })).toBeVisible();
  await page.getByLabel("Subject", { exact: true }).fill("Under a strict CSP");
  await page.getByLabel("Body", { exact: true }).fill("Nothing was refused.");
  await page
    .getByLabel("Attach files")
    .setInputFiles({ name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("a") });
  await expect(page.getByRole("list", { name: "Attachments" })).toContainText("a.txt");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByRole("button", { name: "Undo" })).toBeVisible();

  await visit(page, "/outbox", "Outbox");
  await expect(page.getByText("Under a strict CSP")).toBeVisible();
  await visit(page, "/settings", "Settings");
  expect(problems).toEqual([]);
});

test("Auth.js never shows a page of its own: its sign-out and check-your-email pages lead to Evergreen's", async ({
  page,
  signedInUser: user,
}) => {
  const problems = await watchForViolations(page);
  // A bookmarked or typed Auth.js address: Evergreen asks in its own look, under the same policy.
  await visit(page, "/api/auth/signout", "Sign out");
  await expect(page).toHaveURL(`${E2E.appUrl}/sign-out`);
  await expect(page.getByText(`You are signed in as ${user.email}`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeFocused();
  await page.getByRole("link", { name: "Stay signed in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Welcome/ })).toBeVisible();

  await visit(page, "/sign-out", "Sign out");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${E2E.appUrl}/sign-in?signed-out=1`);
  await expect(page.getByRole("status")).toHaveText("You are signed out.");
  // Signed out, the confirmation has nothing to confirm.
  await visit(page, "/sign-out", "Sign in");
  await expect(page).toHaveURL(`${E2E.appUrl}/sign-in`);
  // No email provider is configured: "check your email" has nothing to say either.
  await visit(page, "/api/auth/verify-request", "Sign in");
  expect(problems).toEqual([]);
});

test("when the database fails, pages show Evergreen's error in its own look under the policy, and no detail", async ({
  browser,
}) => {
  // A server of its own, whose database loses a table at a time under a signed-in user (as a botched
  // restore or migration would leave it). Next.js's built-in error pages use inline styles the policy refuses.
  const server = await startExtraServer(3103, { BACKGROUND_JOBS: "off" });
  const context = await browser.newContext({ baseURL: server.url });
  const database = new Database(server.databaseFile, { fileMustExist: true });
  try {
    const now = (offset = 0) => new Date(Date.now() + offset).toISOString().replace("Z", "+00:00");
    database
      .prepare(`INSERT INTO "User" (id, email, name, updatedAt) VALUES ('db-failure', 'fault@evergreen.test', 'F', ?)`)
      .run(now());
    database
      .prepare(`INSERT INTO "Session" (id, sessionToken, userId, expires, updatedAt) VALUES (?, ?, ?, ?, ?)`)
      .run("db-failure", "db-failure-session", "db-failure", now(86_400_000), now());
    await context.addCookies([{ name: "authjs.session-token", value: "db-failure-session", url: server.url }]);
    const page = await context.newPage();
    const problems = await watchForViolations(page);

    const expectErrorPage = async (response: Response | null) => {
      expect(response?.status()).toBe(500);
      await expectHardened(response);
      const alert = page.getByRole("alert").filter({ hasText: "Something went wrong" });
      await expect(alert.getByRole("heading", { level: 1, name: "Something went wrong" })).toBeVisible();
      await expect(alert).toContainText("Nothing you saved was lost");
      // Styled by Evergreen's stylesheet, which the policy allows.
      expect(await alert.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe("rgba(0, 0, 0, 0)");
      await expect(alert.getByRole("button", { name: "Try again" })).toBeVisible();
      expect(await page.content()).not.toMatch(/no such table|SQLITE|prisma|findMany|findFirst|_unreadable/i);
    };

    // A page's own query fails: the error shows inside the signed-in layout, whose navigation still works.
    database.exec(`ALTER TABLE "Contact" RENAME TO "Contact_unreadable"`);
    await expectErrorPage(await page.goto("/contacts"));
    await page.getByRole("link", { name: "Settings" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();

    // The session cannot be read: an error, not a sign-out (Auth.js takes a failed lookup for "no session").
    database.exec(`ALTER TABLE "Session" RENAME TO "Session_unreadable"`);
    await expectErrorPage(await page.goto("/dashboard"));
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    database.exec(`ALTER TABLE "Session_unreadable" RENAME TO "Session"`);

    // The signed-in layout's own query fails: the error replaces the page, with a way back home.
    database.exec(`ALTER TABLE "Account" RENAME TO "Account_unreadable"`);
    await expectErrorPage(await page.goto("/dashboard"));
    await page.getByRole("link", { name: "Back to Evergreen" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Connect Gmail once. Keep sending." })).toBeVisible();
    expect(problems).toEqual([]);
  } finally {
    database.close();
    await context.close();
    await server.stop();
  }
});

test("every response gets a nonce of its own, never one the client sent", async ({ request }) => {
  const nonces = new Set<string>();
  for (const path of ["/", "/", "/sign-in", "/sign-in", "/no-such-page"]) {
    const response = await request.get(path, {
      headers: { "Content-Security-Policy": "script-src 'nonce-chosenByTheAttacker'" },
    });
    const nonce = nonceOf(response);
    expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    expect(await response.text()).not.toContain("chosenByTheAttacker");
    nonces.add(nonce);
  }
  expect(nonces.size).toBe(5);
});

test("a site that frames Evergreen gets nothing: frame-ancestors 'none'", async ({ page }) => {
  // The attacker's page, served from another origin; it frames Evergreen's sign-in page.
  await page.route("http://attacker.test/", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>Win a prize</title><iframe src="${E2E.appUrl}/sign-in" name="evergreen"></iframe>`,
    }),
  );
  const requested = page.waitForRequest(`${E2E.appUrl}/sign-in`);
  await page.goto("http://attacker.test/");
  await requested;
  // Chromium asked Evergreen for the page, read its frame-ancestors, and showed an error page instead.
  const framed = page.frame({ name: "evergreen" });
  await expect.poll(() => framed?.url()).toMatch(/^chrome-error:/);
  await expect(framed!.getByRole("button", { name: "Continue with Google" })).toHaveCount(0);
});

test("markup injected into a page's HTML cannot run: no inline script, no handler, no javascript: URL", async ({
  page,
}) => {
  const problems = await watchForViolations(page);
  let ran = 0;
  await page.exposeBinding("__injected", () => void ran++);
  // What a reflected or stored injection would add to the server's HTML, CSP header unchanged.
  await page.route(`${E2E.appUrl}/sign-in`, async (route) => {
    const response = await route.fetch();
    const injected = `<script>__injected()</script><img src="data:," onerror="__injected()"><a id="injected" href="javascript:__injected()">x</a>`;
    await route.fulfill({ response, body: (await response.text()).replace("</body>", `${injected}</body>`) });
  });
  await page.goto("/sign-in");
  await page.locator("#injected").click();
  await expect.poll(() => problems.filter((problem) => /script-src/.test(problem)).length).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole("button", { name: "Continue with Google" })).toBeEnabled();
  expect(ran).toBe(0);
});
