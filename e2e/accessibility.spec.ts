import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "./signed-in";

// Every page, for everyone: no serious or critical axe violation, usable at 375 px without sideways
// scrolling, and a desktop and a phone screenshot kept with the test results.

const SIGNED_IN_PAGES = [
  "/dashboard",
  "/compose",
  "/outbox",
  "/contacts",
  "/templates",
  "/templates/new",
  "/merges",
  "/sequences",
  "/sequences/new",
  "/settings",
  "/sign-out",
];

/** Kept in test-results/screenshots/ whether the test passes or fails (per-test folders are emptied on success). */
async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = join("test-results", "screenshots", `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

async function expectAccessible(page: Page, testInfo: TestInfo, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter(
    (violation) => violation.impact === "serious" || violation.impact === "critical",
  );
  expect(
    serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`),
  ).toEqual([]);
  await keepScreenshot(page, testInfo, `${name}-desktop`);

  await page.setViewportSize({ width: 375, height: 740 });
  await page.reload();
  await page.waitForLoadState("domcontentloaded");
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${name} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
  await keepScreenshot(page, testInfo, `${name}-375px`);
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("the sign-in page", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  await expect(page.getByRole("button", { name: "Continue with Google" })).toBeVisible();
  await expectAccessible(page, testInfo, "sign-in");
});

for (const path of SIGNED_IN_PAGES) {
  test(`the signed-in page ${path}`, async ({ page, signedInUser }, testInfo) => {
    void signedInUser;
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page, testInfo, path.slice(1));
  });
}
