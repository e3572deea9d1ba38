import { expect, test } from "@playwright/test";

test("the home page explains Evergreen and offers sign-in", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Connect Gmail once. Keep sending." })).toBeVisible();
  const signIn = page.getByRole("link", { name: "Sign in" });
  await expect(signIn).toHaveAttribute("href", "/sign-in");
  // Tailwind and the self-hosted font are served by the build itself, with nothing fetched from outside.
  await expect(signIn).toHaveCSS("color", "rgb(255, 255, 255)");
  expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain("Inter Variable");
  // A tab icon of its own, so no browser asks for a /favicon.ico that is not there.
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  const served = await page.request.get(icon!);
  expect(served.status()).toBe(200);
  expect(served.headers()["content-type"]).toBe("image/svg+xml");
});

test("an unknown page says so and links home", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
