import type { Page } from "@playwright/test";
import { googleEmulator } from "./fixtures";
import { expect, signInHeadless, test } from "./signed-in";

// Sign-out on a shared computer (issue 18): an unsent draft is not lost without asking, and nothing of
// Evergreen's (drafts, idempotency keys) stays in the browser for the next person.

const field = (page: Page, label: "To" | "Subject" | "Body") => page.getByLabel(label, { exact: true });
const signOutButton = (page: Page) => page.getByRole("button", { name: "Sign out", exact: true });
const question = (page: Page) => page.getByRole("alertdialog", { name: "Discard your unsent draft?" });

/** Every key Evergreen keeps in this tab's localStorage and sessionStorage. */
function evergreenStorage(page: Page) {
  return page.evaluate(() => ({
    local: Object.keys(localStorage).filter((key) => key.startsWith("evergreen.")),
    session: Object.keys(sessionStorage).filter((key) => key.startsWith("evergreen.")),
  }));
}

async function writeDraft(page: Page, subject: string) {
  await page.goto("/compose");
  await field(page, "To").fill("grace@x.test");
  await field(page, "To").press("Enter");
  await field(page, "Subject").fill(subject);
  await field(page, "Body").fill("The numbers, before anyone else sees them.");
}

test("signing out with an unsent draft asks first; confirmed, the browser keeps no draft or key, and compose starts empty", async ({
  page,
  context,
  signedInUser: user,
}) => {
  // Sign out the moment after typing, before autosave has written the last keystrokes.
  await writeDraft(page, "Private numbers");
  await signOutButton(page).click();
  const dialog = question(page);
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAccessibleDescription(/unsent draft, “Private numbers” to grace@x\.test\. .*deletes it/);
  await expect(dialog.getByRole("button", { name: "Keep writing" })).toBeFocused();

  // Keeping on writing loses nothing.
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(field(page, "Subject")).toHaveValue("Private numbers");
  // Autosave writes a moment after the last keystroke, which may fall after the dialog closed.
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();
  await expect
    .poll(() => evergreenStorage(page))
    .toEqual({
      local: [expect.stringMatching(/^evergreen\.compose-draft\./)],
      session: [expect.stringMatching(/^evergreen\.compose-key\./)],
    });

  await signOutButton(page).click();
  await dialog.getByRole("button", { name: "Discard draft and sign out" }).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();
  expect(await evergreenStorage(page)).toEqual({ local: [], session: [] });

  await signInHeadless(context, user.email);
  await page.goto("/compose");
  await expect(page.getByText(`Sending from ${user.email} via Gmail`)).toBeVisible();
  await expect(field(page, "Subject")).toHaveValue("");
  await expect(field(page, "Body")).toHaveValue("");
  await expect(page.getByRole("button", { name: /^Remove / })).toHaveCount(0);
});

test("the sign-out page asks too, and “Keep writing” goes back to the draft; with nothing unsent nobody is asked", async ({
  page,
  signedInUser,
}) => {
  void signedInUser;
  await writeDraft(page, "Half-written");
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();
  await page.goto("/sign-out");
  await signOutButton(page).click();
  await question(page).getByRole("button", { name: "Keep writing" }).click();
  await expect(page).toHaveURL(/\/compose$/);
  await expect(field(page, "Subject")).toHaveValue("Half-written");

  // Emptied by hand, the draft is nothing to ask about, but its idempotency key still goes.
  await page.getByRole("button", { name: "Remove grace@x.test", exact: true }).click();
  await field(page, "Subject").fill("");
  await field(page, "Body").fill("");
  await expect(page.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await signOutButton(page).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await expect(question(page)).toHaveCount(0);
  expect(await evergreenStorage(page)).toEqual({ local: [], session: [] });
});

test("another user signing in on the same browser never gets the first one's draft", async ({
  page,
  context,
  signedInUser: first,
}) => {
  void first;
  await writeDraft(page, "Only for the first user");
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();

  // The first user's session ends without a sign-out (it expired, or the cookie was cleared).
  await context.clearCookies();
  const second = await googleEmulator.createUser("second");
  await signInHeadless(context, second.email);
  await page.goto("/compose");
  await expect(page.getByText(`Sending from ${second.email} via Gmail`)).toBeVisible();
  await expect(field(page, "Subject")).toHaveValue("");
  await expect(page.getByRole("button", { name: /^Remove / })).toHaveCount(0);

  // And signing out clears what the first user left behind too.
  await signOutButton(page).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();
  expect(await evergreenStorage(page)).toEqual({ local: [], session: [] });
});

test("signing out in one tab leaves nothing for a composer open in another tab to write back", async ({
  page,
  context,
  signedInUser,
}) => {
  void signedInUser;
  await writeDraft(page, "Open in another tab");
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();

  const other = await context.newPage();
  await other.goto("/dashboard");
  await signOutButton(other).click();
  await expect(question(other)).toHaveAccessibleDescription(/“Open in another tab”/);
  await question(other).getByRole("button", { name: "Discard draft and sign out" }).click();
  await expect(other.getByText("You are signed out.")).toBeVisible();
  await expect.poll(() => evergreenStorage(page)).toEqual({ local: [], session: [] });

  // Leaving compose saves the draft as it goes; after the sign-out it saves nothing.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Outbox" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect(await evergreenStorage(page)).toEqual({ local: [], session: [] });
});
