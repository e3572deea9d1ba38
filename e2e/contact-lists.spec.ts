import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import type Database from "better-sqlite3";
import { withAppDatabase } from "./app-database";
import { expect, test } from "./signed-in";

// Lists of contacts (issue 19): tags in the form, on the list and in a CSV; filtering by tag with the
// search; selecting contacts (by row, by page, all matching) to tag them or email them together.

function userIdOf(db: Database.Database, email: string): string {
  return (db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as { id: string }).id;
}

/** A contact as the app stores it, with its tags, written straight into its database. */
function seedContact(userEmail: string, contact: { name: string; email: string; tags?: string[] }): string {
  return withAppDatabase((db) => {
    const id = randomUUID();
    const now = new Date().toISOString();
    const userId = userIdOf(db, userEmail);
    db.prepare(
      `INSERT INTO "Contact" (id, userId, name, email, searchText, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, userId, contact.name, contact.email, `${contact.name}\n${contact.email}\n`.toLowerCase(), now, now);
    for (const label of contact.tags ?? [])
      db.prepare(`INSERT INTO "ContactTag" (contactId, userId, key, label) VALUES (?, ?, ?, ?)`).run(
        id,
        userId,
        label.toLowerCase(),
        label,
      );
    return id;
  });
}

/** Each of the user's contacts' tag keys, by email. */
function tagsByEmail(userEmail: string): Record<string, string[]> {
  return withAppDatabase((db) => {
    const rows = db
      .prepare(
        `SELECT c.email, t.key FROM "ContactTag" t JOIN "Contact" c ON c.id = t.contactId WHERE t.userId = ? ORDER BY c.email, t.key`,
      )
      .all(userIdOf(db, userEmail)) as Array<{ email: string; key: string }>;
    const byEmail: Record<string, string[]> = {};
    for (const { email, key } of rows) (byEmail[email] ??= []).push(key);
    return byEmail;
  });
}

async function expectNoSeriousAxeViolation(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? ""));
  expect(
    serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target).join(", ")}`),
  ).toEqual([]);
}

test("tags and a first name in the contact form, shown on the contact's page and the list, which filters by tag", async ({
  page,
  signedInUser,
}) => {
  seedContact(signedInUser.email, { name: "Grace Hopper", email: "grace@navy.test" });
  await page.goto("/contacts/new");
  await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("ada@example.com");
  await expect(page.getByLabel("First name")).toHaveAccessibleDescription(
    "Leave empty to use the first word of the name.",
  );
  const tags = page.getByRole("textbox", { name: "Tags" });
  await tags.fill(`VIP, maths; ${"x".repeat(41)}`);
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByText(/^Tag “x{20}…” is too long: keep each tag to 40 characters or fewer\.$/)).toBeVisible();
  await expect(tags).toBeFocused();
  await expect(tags).toHaveAttribute("aria-invalid", "true");

  await tags.fill("VIP, maths; vip");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page).toHaveURL(/\/contacts\/[^/?]+\?notice=created$/);
  const details = page.getByRole("region", { name: "Details" });
  await expect(details).toContainText("First nameAda (from the name)");
  await expect(details.getByRole("list", { name: "Tags" }).getByRole("listitem")).toHaveText(["maths", "VIP"]);

  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByRole("textbox", { name: "Tags" })).toHaveValue("maths, VIP");
  await page.getByLabel("First name").fill("Augusta");
  await page.getByRole("textbox", { name: "Tags" }).fill("vip, Countess");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Changes saved.")).toBeVisible();
  await expect(details).toContainText("First nameAugusta");
  await expect(details).not.toContainText("(from the name)");
  await expect(details.getByRole("list", { name: "Tags" }).getByRole("listitem")).toHaveText(["Countess", "vip"]);

  // A tag on the contact's page opens the list filtered by it.
  await details.getByRole("link", { name: "vip" }).click();
  await expect(page).toHaveURL(/\/contacts\?tag=vip$/);
  const table = page.getByRole("table", { name: "Contacts" });
  await expect(table.getByRole("row", { name: /Ada Lovelace/ }).getByRole("list", { name: "Tags" })).toContainText(
    "Countessvip",
  );
  await expect(table.getByRole("link", { name: "Grace Hopper" })).toHaveCount(0);
  await expect(page.getByRole("status")).toHaveText("1 contact tagged “vip”.");

  const tagFilter = page.getByRole("combobox", { name: "Tag" });
  await expect(tagFilter).toHaveValue("vip");
  await tagFilter.selectOption({ label: "All contacts" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/contacts\?q=&tag=$|\/contacts\?q=$|\/contacts$/);
  await expect(table.getByRole("link", { name: "Grace Hopper" })).toBeVisible();
  await tagFilter.selectOption({ label: "Countess (1)" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("status")).toHaveText("1 contact tagged “Countess”.");
});

test("select contacts by row, page or all matching, and add or remove a tag on all of them; search within a tag", async ({
  page,
  signedInUser,
}) => {
  seedContact(signedInUser.email, { name: "Ada Lovelace", email: "ada@example.com" });
  seedContact(signedInUser.email, { name: "Grace Hopper", email: "grace@navy.test", tags: ["navy"] });
  for (let i = 0; i < 30; i += 1)
    seedContact(signedInUser.email, { name: `Person ${String(i).padStart(2, "0")}`, email: `p${i}@bulk.test` });

  await page.goto("/contacts");
  const selection = page.getByRole("region", { name: "Selection" });
  await expect(selection).toContainText("No contacts selected.");
  // Keyboard alone: Space ticks a row's box, and the count is announced.
  await page.getByRole("checkbox", { name: "Select Ada Lovelace" }).focus();
  await page.keyboard.press("Space");
  await page.getByRole("checkbox", { name: "Select Grace Hopper" }).check();
  await expect(selection.locator("[aria-live]").first()).toHaveText("2 selected.");
  await expect(page.getByRole("checkbox", { name: "Select all on this page" })).not.toBeChecked();

  await selection.getByRole("combobox", { name: "Tag to add" }).fill("VIP");
  await selection.getByRole("button", { name: "Add tag" }).click();
  await expect(selection.getByText("Tag “VIP” added to 2 contacts.")).toBeVisible();
  const table = page.getByRole("table", { name: /^Contacts/ });
  await expect(table.getByRole("row", { name: /Grace Hopper/ }).getByRole("listitem")).toHaveText(["navy", "VIP"]);
  expect(tagsByEmail(signedInUser.email)).toEqual({ "ada@example.com": ["vip"], "grace@navy.test": ["navy", "vip"] });
  await expectNoSeriousAxeViolation(page);

  // All on this page, then all matching the search across both pages.
  await page.goto("/contacts?q=person");
  await expect(page.getByRole("status")).toContainText("30 contacts match “person”.");
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  await expect(selection).toContainText("25 selected.");
  await selection.getByRole("button", { name: "Select all 30 matching" }).click();
  await expect(selection).toContainText("30 selected: every contact in this list, on every page.");
  await expect(selection.getByRole("button", { name: "Clear selection" })).toBeFocused();
  await selection.getByRole("combobox", { name: "Tag to add" }).fill("2025 lead");
  await selection.getByRole("button", { name: "Add tag" }).click();
  await expect(selection.getByText("Tag “2025 lead” added to 30 contacts.")).toBeVisible();
  expect(Object.values(tagsByEmail(signedInUser.email)).filter((keys) => keys.includes("2025 lead"))).toHaveLength(30);

  // The tag filter and the search combine, stay in the address, and paging keeps them.
  await page.goto("/contacts");
  await page.getByRole("combobox", { name: "Tag" }).selectOption({ label: "2025 lead (30)" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("status")).toHaveText("30 contacts tagged “2025 lead”. Showing 1–25.");
  const next = page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Next page" });
  await expect(next).toHaveAttribute("href", "/contacts?tag=2025+lead&page=2");
  await next.click();
  await expect(page.getByRole("table", { name: "Contacts, page 2 of 2" }).getByRole("row")).toHaveCount(6);
  await expect(page.getByRole("combobox", { name: "Tag" })).toHaveValue("2025 lead");

  await page.getByRole("searchbox", { name: "Search contacts" }).fill("07");
  await page.getByRole("searchbox", { name: "Search contacts" }).press("Enter");
  await expect(page).toHaveURL(/\/contacts\?q=07&tag=2025\+lead$/);
  await expect(page.getByRole("status")).toHaveText("1 contact tagged “2025 lead” matches “07”.");
  await expect(table.getByRole("link")).toHaveText(["Person 07"]);

  // Remove the tag from all matching: the list empties, and says how to clear the filter.
  await page.goto("/contacts?q=person&tag=2025+lead");
  await selection.getByRole("button", { name: "Select all 30 matching" }).click();
  await selection.getByRole("combobox", { name: "Tag to remove" }).selectOption({ label: "2025 lead" });
  await selection.getByRole("button", { name: "Remove tag" }).click();
  await expect(page.getByText("No contacts tagged “2025 lead” match “person”.")).toBeVisible();
  expect(Object.values(tagsByEmail(signedInUser.email)).flat()).not.toContain("2025 lead");
  await page.getByRole("link", { name: "Clear the search" }).click();
  await expect(page.getByText("No contacts tagged “2025 lead”.")).toBeVisible();
  await page.getByRole("link", { name: "Show all contacts" }).click();
  await expect(page.getByRole("status")).toHaveText("32 contacts. Showing 1–25.");
});

test("Email selected prepares a merge for the selection, or says why not", async ({ page, signedInUser }) => {
  seedContact(signedInUser.email, { name: "Ada Lovelace", email: "ada@example.com", tags: ["vip"] });
  seedContact(signedInUser.email, { name: "Grace Hopper", email: "grace@navy.test", tags: ["vip"] });
  seedContact(signedInUser.email, { name: "Alan Turing", email: "alan@bletchley.test" });

  await page.goto("/contacts?tag=vip");
  const selection = page.getByRole("region", { name: "Selection" });
  await page.getByRole("checkbox", { name: "Select Ada Lovelace" }).check();
  await page.getByRole("checkbox", { name: "Select Grace Hopper" }).check();
  await expect(selection).toContainText("2 selected.");
  await selection.getByRole("button", { name: "Select all 2 matching" }).click();
  await selection.getByRole("button", { name: "Email selected" }).click();
  // The merge's page is another part of issue 19: it opens, or the action's refusal is shown.
  await expect(async () => {
    if (/^\/merges\/[^/]+$/.test(new URL(page.url()).pathname)) return;
    await expect(selection.getByRole("alert")).toHaveText(/\S/, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
});

test("import a CSV with First name and Tags columns: tags are added to an existing contact's", async ({
  page,
  signedInUser,
}) => {
  seedContact(signedInUser.email, { name: "Ada Lovelace", email: "ada@example.com", tags: ["VIP"] });
  await page.goto("/contacts/import");
  await page
    .getByLabel("Or paste the CSV text")
    .fill(
      [
        "Email,Name,First name,Tags",
        'ada@example.com,Ada Lovelace,Augusta,"vip; Countess"',
        'grace@navy.test,Grace Hopper,,"navy, 2025 lead"',
      ].join("\n"),
    );
  await page.getByRole("button", { name: "Preview import" }).click();
  const preview = page.getByRole("region", { name: "Preview: nothing is saved yet" });
  await expect(preview.getByRole("status")).toHaveText("1 new contact, 1 update, 0 unchanged.");
  const plan = preview.getByRole("table", { name: "What will be imported" });
  await expect(plan.getByRole("row", { name: /^ada@example\.com/ })).toContainText("VIP, Countess");
  await expect(plan.getByRole("row", { name: /^ada@example\.com/ })).toContainText("Updates first name, tags");
  await expect(plan.getByRole("row", { name: /^grace@navy\.test/ })).toContainText("navy, 2025 lead");
  await preview.getByRole("button", { name: "Import 2 contacts" }).click();
  await expect(page.getByText("Imported: 1 contact added, 1 updated.")).toBeVisible();
  expect(tagsByEmail(signedInUser.email)).toEqual({
    "ada@example.com": ["countess", "vip"],
    "grace@navy.test": ["2025 lead", "navy"],
  });
  const firstName = withAppDatabase(
    (db) =>
      (
        db
          .prepare(`SELECT firstName FROM "Contact" WHERE email = 'ada@example.com' AND userId = ?`)
          .get(userIdOf(db, signedInUser.email)) as { firstName: string }
      ).firstName,
  );
  expect(firstName).toBe("Augusta");

  await page.getByRole("link", { name: "See your contacts" }).click();
  await expect(page.getByRole("combobox", { name: "Tag" }).getByRole("option")).toHaveText([
    "All contacts",
    "2025 lead (1)",
    "Countess (1)",
    "navy (1)",
    "VIP (1)",
  ]);
});
