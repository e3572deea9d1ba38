import { expect, test } from "@playwright/test";
import { E2E } from "./e2e-config";
import { googleEmulator, signInWithGoogle } from "./fixtures";

test("no Google token ever reaches the browser: not in HTML, RSC payloads, action responses, cookies or the session", async ({
  page,
  context,
}) => {
  const received: string[] = [];
  page.on("response", async (response) => {
    if (!response.url().startsWith(E2E.appUrl)) return;
    const body = await response.body().catch(() => Buffer.alloc(0));
    received.push(`${response.url()}\n${JSON.stringify(await response.allHeaders())}\n${body.toString("utf8")}`);
  });

  const user = await googleEmulator.createUser("privacy");
  await signInWithGoogle(page, user.email);
  for (const path of ["/dashboard", "/settings"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
  }
  // Client-side navigation fetches RSC payloads; a server action returns an action response.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("button", { name: "Disconnect Gmail" }).click();
  await page.getByRole("button", { name: "Keep connected" }).click();
  const session = await page.request.get("/api/auth/session");
  received.push(await session.text());
  received.push(JSON.stringify(await context.cookies()));
  received.push(await page.content());

  const issued = await googleEmulator.tokensOf(user.email);
  const secrets = [...issued.refreshTokens, ...issued.accessTokens].map((token) => token.token);
  expect(secrets.length).toBeGreaterThanOrEqual(2);
  expect(received.length).toBeGreaterThan(5);
  const everything = received.join("\n");
  for (const secret of secrets) expect(everything).not.toContain(secret);
  expect(everything).not.toMatch(/ya29\.|1\/\/0|"(access|refresh|id)_token"/);
  expect(JSON.parse(await session.text())).toEqual({
    user: { id: expect.any(String), name: user.name, email: user.email, image: expect.any(String) },
    expires: expect.any(String),
  });
});
