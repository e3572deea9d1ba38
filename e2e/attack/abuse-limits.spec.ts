import { randomBytes, randomUUID } from "node:crypto";
import { loadServerActions } from "@/test-support/server-actions";
import { withAppDatabase } from "../app-database";
import { E2E } from "../e2e-config";
import { expect, test } from "../signed-in";

// Abuse limits (issue 12): sends per user per minute and sign-in attempts per client address are
// answered 429 with Retry-After, the forms say when to try again, and nothing is lost or sent past the limit.

const SENDS_PER_MINUTE = Number(E2E.appEnv.SEND_RATE_LIMIT_PER_MINUTE);
const SIGN_INS_PER_10_MINUTES = Number(E2E.appEnv.SIGN_IN_RATE_LIMIT_PER_10_MINUTES);

function messagesOf(email: string): number {
  return withAppDatabase(
    (db) =>
      (
        db
          .prepare(`SELECT count(*) AS n FROM "Message" m JOIN "User" u ON u.id = m.userId WHERE u.email = ?`)
          .get(email) as { n: number }
      ).n,
  );
}

// Each test's client address is its own, so no two tests (or a test and its "elsewhere") share a count,
// even after a failed test restarts the worker. Random, in the IPv6 documentation prefix.
const anAddress = () =>
  `2001:db8::${randomBytes(8)
    .toString("hex")
    .replace(/(.{4})(?!$)/g, "$1:")}`;

/**
 * The limits count in fixed windows (lib/http/rate-limit.ts): an allowance spent across a window's end would
 * start counting again and never reach the limit. So a test that spends one starts early in a window,
 * waiting for the next when fewer than `needSeconds` are left of this one.
 */
async function earlyInAWindow(windowSeconds: number, needSeconds = 20) {
  const left = windowSeconds - ((Date.now() / 1000) % windowSeconds);
  if (left < needSeconds) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 500));
}

test("a user who sends too much in a minute gets 429 with Retry-After, and compose says when to send again", async ({
  page,
  context,
  signedInUser,
}) => {
  // The minute's allowance, spent quickly over HTTP as the compose form would spend it.
  const actions = await loadServerActions();
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  await earlyInAWindow(60);
  for (let i = 0; i < SENDS_PER_MINUTE; i++) {
    const form = new FormData();
    form.append("to", "buyer@example.com");
    form.set("subject", `Allowance ${i}`);
    form.set("body", "Hello");
    form.set("idempotencyKey", randomUUID());
    const answer = await actions.call("sendMessageAction", { baseUrl: E2E.appUrl, cookie, args: [{ ok: true }, form] });
    expect(answer.status, `send ${i + 1}`).toBe(200);
    expect(answer.value, `send ${i + 1}`).toMatchObject({ ok: true });
  }

  await page.goto("/compose");
  await page.getByLabel("To", { exact: true }).fill("buyer@example.com");
  await page.getByLabel("Subject", { exact: true }).fill("One too many");
  await page.getByLabel("Body", { exact: true }).fill("This draft must survive the refusal.");
  const refused = page.waitForResponse(
    (response) => response.request().method() === "POST" && response.status() === 429,
  );
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const answer = await refused;
  const retryAfter = Number(answer.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);

  await expect(page.getByRole("alert").filter({ hasText: "Too many emails in one minute" })).toContainText(
    /you can send again in \d+ seconds?\. Your draft is kept\./,
  );
  await expect(page.getByLabel("Subject", { exact: true })).toHaveValue("One too many");
  await expect(page.getByLabel("Body", { exact: true })).toHaveValue("This draft must survive the refusal.");
  expect(messagesOf(signedInUser.email)).toBe(SENDS_PER_MINUTE);
});

test("sign-in attempts past the limit from one address get 429 with Retry-After and a page that says so", async ({
  request,
}) => {
  const address = anAddress();
  await earlyInAWindow(600);
  const attempt = () =>
    request.post("/api/auth/signin/google", {
      headers: { "x-forwarded-for": address, origin: E2E.appUrl },
      form: { callbackUrl: "/dashboard" },
      maxRedirects: 0,
    });
  for (let i = 0; i < SIGN_INS_PER_10_MINUTES; i++)
    expect((await attempt()).status(), `attempt ${i + 1}`).toBeLessThan(400);

  const refused = await attempt();
  expect(refused.status()).toBe(429);
  const retryAfter = Number(refused.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(600);
  expect(await refused.text()).toContain("Too many sign-in attempts from your network");

  // Another address is not held back by this one.
  const elsewhere = await request.post("/api/auth/signin/google", {
    headers: { "x-forwarded-for": anAddress(), origin: E2E.appUrl },
    form: { callbackUrl: "/dashboard" },
    maxRedirects: 0,
  });
  expect(elsewhere.status()).toBeLessThan(400);
});

test("the sign-in page tells a rate-limited visitor when to try again", async ({ browser, request }) => {
  const address = anAddress();
  await earlyInAWindow(600);
  // Returns from Google with spent codes, from a browser that did start those sign-ins.
  for (let i = 0; i < SIGN_INS_PER_10_MINUTES; i++)
    await request.get(`/api/auth/callback/google?code=spent-${i}&state=none`, {
      headers: { "x-forwarded-for": address, cookie: `authjs.state=stale-${i}` },
      maxRedirects: 0,
    });
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": address } });
  const page = await context.newPage();
  await page.goto("/sign-in");
  const refused = page.waitForResponse((response) => response.status() === 429);
  await page.getByRole("button", { name: "Continue with Google" }).click();
  expect((await refused).headers()["retry-after"]).toMatch(/^\d+$/);
  await expect(page.getByRole("alert").filter({ hasText: "Too many" })).toContainText(
    /Too many sign-in attempts from your network: try again in \d+ minutes?\./,
  );
  await expect(page.getByRole("heading", { name: "Slow down" })).toBeVisible();
  await context.close();
});

test("another site cannot spend a visitor's sign-in attempts by loading Evergreen's return-from-Google address", async ({
  page,
  request,
}) => {
  const address = anAddress();
  await earlyInAWindow(600);
  // What <img src=".../api/auth/callback/google"> on any page sends: no SameSite=Lax cookie of ours.
  for (let i = 0; i <= SIGN_INS_PER_10_MINUTES; i++) {
    const planted = await request.get(`/api/auth/callback/google?code=planted-${i}&state=x`, {
      headers: { "x-forwarded-for": address },
      maxRedirects: 0,
    });
    expect(planted.status(), `planted return ${i + 1}`).toBe(303);
    expect(planted.headers().location).toBe(`${E2E.appUrl}/sign-in?error=SignInNotStarted`);
  }
  const start = await request.post("/api/auth/signin/google", {
    headers: { "x-forwarded-for": address, origin: E2E.appUrl },
    form: { callbackUrl: "/dashboard" },
    maxRedirects: 0,
  });
  expect(start.status()).toBeLessThan(400);

  // Someone who does land there from such a link is told what happened and how to go on.
  await page.goto("/api/auth/callback/google?code=planted&state=x");
  await expect(page).toHaveURL(`${E2E.appUrl}/sign-in?error=SignInNotStarted`);
  await expect(
    page.getByRole("alert").filter({ hasText: "did not belong to a sign-in started in this browser" }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Continue with Google" })).toBeVisible();
});

test("a sign-in form posted without JavaScript counts against the limit as the script's post does", async ({
  request,
}) => {
  const address = anAddress();
  await earlyInAWindow(600);
  const signIn = (await loadServerActions()).get("signInWithGoogleAction");
  const attempt = () =>
    request.post("/sign-in", {
      headers: { "x-forwarded-for": address, origin: E2E.appUrl },
      multipart: { [`$ACTION_ID_${signIn.id}`]: "", callbackUrl: "/dashboard" },
      maxRedirects: 0,
    });
  for (let i = 0; i < SIGN_INS_PER_10_MINUTES; i++)
    expect((await attempt()).status(), `attempt ${i + 1}`).toBeLessThan(400);
  const refused = await attempt();
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()["retry-after"])).toBeGreaterThanOrEqual(1);
  expect(await refused.text()).toContain("Too many sign-in attempts from your network");
});
