import type { Locator, Page } from "@playwright/test";
import { seedMessages } from "./seed-messages";
import { expect, test } from "./signed-in";

// Keyboard alone (issue 11): Tab reaches every control of every page, each shows where focus is, and
// the settings and outbox decisions work with Enter. Compose and contacts have their own keyboard tests.

const PAGES = ["/dashboard", "/contacts", "/contacts/new", "/contacts/import", "/compose", "/outbox", "/settings"];

/** Every visible control a pointer could use, described for the failure message. */
async function visibleControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea";
    return [...document.querySelectorAll<HTMLElement>(selector)]
      .filter((element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== "hidden")
      .map((element, index) => {
        element.dataset.kbd = String(index);
        return `${index}:${element.tagName.toLowerCase()} "${(element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40)}"`;
      });
  });
}

/** Tabs through the whole page once, noting each control focused and whether focus was visible there. */
async function tabThrough(page: Page, limit: number) {
  const reached = new Set<string>();
  const unmarked: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      const ring = style.outlineStyle !== "none" && style.outlineWidth !== "0px";
      return {
        kbd: element.dataset.kbd ?? null,
        visible: ring || style.boxShadow !== "none",
        tag: element.outerHTML.slice(0, 80),
      };
    });
    if (!focus) continue;
    if (focus.kbd !== null) reached.add(focus.kbd);
    if (!focus.visible) unmarked.push(focus.tag);
  }
  return { reached, unmarked };
}

for (const path of PAGES) {
  test(`Tab reaches every control on ${path}, with a visible focus`, async ({ page, signedInUser }) => {
    void signedInUser;
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const controls = await visibleControls(page);
    const { reached, unmarked } = await tabThrough(page, controls.length + 10);
    expect(controls.filter((control) => !reached.has(control.split(":")[0]!))).toEqual([]);
    expect(unmarked).toEqual([]);
  });
}

test("the first Tab offers Skip to content, which takes focus past the header to the page", async ({
  page,
  signedInUser,
}) => {
  void signedInUser;
  await page.goto("/contacts");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#content")).toBeFocused();
  // The next Tab lands in the page, not back in the header's navigation.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("main").getByRole("link", { name: "Import a CSV" }).first()).toBeFocused();
});

/** Presses Tab until `target` has focus, failing after `limit` presses. */
async function tabTo(page: Page, target: Locator, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

test("settings by keyboard: Disconnect asks first, Keep connected returns focus, Enter Enter disconnects", async ({
  page,
  signedInUser,
}) => {
  void signedInUser;
  await page.goto("/settings");
  const disconnect = page.getByRole("button", { name: "Disconnect Gmail" });
  await tabTo(page, disconnect);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Yes, disconnect Gmail" })).toBeFocused();

  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Keep connected" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(disconnect).toBeFocused();

  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: /disconnected/i })
      .first(),
  ).toBeVisible();
  await tabTo(page, page.getByRole("button", { name: /Connect Gmail|Reconnect/ }).first());
});

test("outbox by keyboard: a filter opens with Enter, and Retry works with Enter", async ({ page, signedInUser }) => {
  seedMessages(signedInUser.email, [
    {
      subject: "Refused at the keyboard",
      status: "FAILED",
      lastError: "Gmail refused this message: Invalid To header.",
    },
    { subject: "Fine", status: "SENT" },
  ]);
  await page.goto("/outbox");
  await tabTo(page, page.getByRole("link", { name: /Failed/ }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/outbox\?status=failed$/);
  await expect(page.getByRole("listitem", { name: "Fine" })).toHaveCount(0);

  // On the whole outbox, where the retried message stays in view as it moves on.
  await page.goto("/outbox");
  await tabTo(
    page,
    page.getByRole("listitem", { name: "Refused at the keyboard" }).getByRole("button", { name: "Retry" }),
  );
  await page.keyboard.press("Enter");
  await expect(page.getByRole("listitem", { name: "Refused at the keyboard" })).toContainText(/Queued|Sending|Sent/, {
    timeout: 15_000,
  });
});
