import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import type Database from "better-sqlite3";
import { withAppDatabase } from "./app-database";
import { expect, test } from "./signed-in";

// Templates (issue 19, item 2): the list and its empty state, the form with merge fields checked at the
// field, edit, duplicate, delete after asking, and "Insert template" in compose.

const KNOWN =
  "Known fields: {{first_name}}, {{last_name}}, {{name}}, {{company}}, {{title}}, {{email}}, {{my_first_name}}.";

function userIdOf(db: Database.Database, email: string): string {
  return (db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as { id: string }).id;
}

function templatesOf(userEmail: string) {
  return withAppDatabase(
    (db) =>
      db
        .prepare(`SELECT name, subject, body FROM "Template" WHERE userId = ? ORDER BY name`)
        .all(userIdOf(db, userEmail)) as Array<{ name: string; subject: string; body: string }>,
  );
}

function seedTemplate(userEmail: string, template: { name: string; subject: string; body: string }): string {
  return withAppDatabase((db) => {
    const id = randomUUID();
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO "Template" (id, userId, name, subject, body, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, userIdOf(db, userEmail), template.name, template.subject, template.body, now, now);
    return id;
  });
}

function seedContact(userEmail: string, contact: { name: string; email: string; company: string }) {
  withAppDatabase((db) => {
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO "Contact" (id, userId, name, email, company, searchText, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      randomUUID(),
      userIdOf(db, userEmail),
      contact.name,
      contact.email,
      contact.company,
      [contact.name, contact.email, contact.company].join("\n").toLowerCase(),
      now,
      now,
    );
  });
}

const templates = (page: Page) => page.getByRole("list", { name: "Templates" }).getByRole("listitem");
const field = (page: Page, label: "Name" | "Subject" | "Body") => page.getByLabel(label, { exact: true });

test("a template is written with a fallback, refused at the field for an unknown one, edited, duplicated and deleted", async ({
  page,
  signedInUser,
}) => {
  await page.goto("/templates");
  await expect(page.getByRole("heading", { name: "Templates", level: 1 })).toBeVisible();
  await expect(page.getByText("No templates yet.")).toBeVisible();
  await page.getByRole("link", { name: "New template" }).click();

  await expect(page.getByRole("heading", { name: "New template" })).toBeVisible();
  await expect(page.getByText("{{first_name | there}}", { exact: true })).toBeVisible();
  await field(page, "Name").fill("Intro");
  await field(page, "Subject").fill("Hello {{frist_name}}");
  const body = "Hi {{first_name | there}},\n\nGood to meet you.\n{{my_first_name}}";
  await field(page, "Body").fill(body);
  await page.getByRole("button", { name: "Save template" }).click();

  // Refused at the subject, naming the field and the known fields; what was typed stays.
  await expect(page.getByRole("alert").filter({ hasText: "Not saved" })).toHaveText(
    "Not saved: fix what is marked below.",
  );
  await expect(field(page, "Subject")).toHaveAttribute("aria-invalid", "true");
  await expect(field(page, "Subject")).toHaveAccessibleDescription(
    new RegExp(`Subject: unknown field \\{\\{frist_name\\}\\}\\. ${KNOWN.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
  );
  await expect(field(page, "Subject")).toBeFocused();
  await expect(field(page, "Subject")).toHaveValue("Hello {{frist_name}}");
  await expect(field(page, "Body")).toHaveValue(body);
  await expect(field(page, "Name")).toHaveValue("Intro");
  expect(templatesOf(signedInUser.email)).toEqual([]);

  await field(page, "Subject").fill("Hello {{first_name | there}}");
  // The preview writes to a sample contact, signed with the user's own first name.
  const preview = page.getByRole("region", { name: /Preview for a sample contact/ });
  await expect(preview).toContainText("Subject: Hello Ada");
  await expect(preview).toContainText("Hi Ada,");
  await expect(preview).toContainText("E2E");
  await page.getByRole("button", { name: "Save template" }).click();

  await expect(page).toHaveURL(/\/templates\?notice=created$/);
  await expect(page.getByRole("status").filter({ hasText: "Template saved." })).toBeVisible();
  await expect(templates(page)).toHaveCount(1);
  await expect(templates(page).first()).toContainText("Intro");
  await expect(templates(page).first()).toContainText("Subject: Hello {{first_name | there}}");
  expect(templatesOf(signedInUser.email)).toEqual([{ name: "Intro", subject: "Hello {{first_name | there}}", body }]);

  // Edit: rename, and put a field at the cursor with its button.
  await page.getByRole("link", { name: "Edit Intro" }).click();
  await expect(page.getByRole("heading", { name: "Edit Intro" })).toBeVisible();
  await field(page, "Name").fill("Intro after a call");
  await field(page, "Body").focus();
  await field(page, "Body").press("Control+End");
  await field(page, "Body").pressSequentially(" at ");
  await page.getByRole("group", { name: "Insert a merge field" }).getByRole("button", { name: "{{company}}" }).click();
  await expect(field(page, "Body")).toHaveValue(`${body} at {{company}}`);
  await expect(field(page, "Body")).toBeFocused();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Changes saved." })).toBeVisible();
  await expect(templates(page).first()).toContainText("Intro after a call");

  // Duplicate: the copy comes first.
  await page.getByRole("button", { name: "Duplicate Intro after a call" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Template duplicated" })).toBeVisible();
  await expect(templates(page)).toHaveCount(2);
  await expect(templates(page).first()).toContainText("Copy of Intro after a call");

  // Delete asks first; Escape keeps the template and gives the keyboard back to Delete.
  const deleteCopy = page.getByRole("button", { name: "Delete Copy of Intro after a call" });
  await deleteCopy.click();
  await expect(page.getByText("Delete the template “Copy of Intro after a call”?")).toBeVisible();
  await expect(page.getByRole("button", { name: "Yes, delete template" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Yes, delete template" })).toHaveCount(0);
  await expect(deleteCopy).toBeFocused();
  await expect(templates(page)).toHaveCount(2);
  await deleteCopy.click();
  await page.getByRole("button", { name: "Yes, delete template" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Template deleted." })).toBeVisible();
  await expect(templates(page)).toHaveCount(1);
  expect(templatesOf(signedInUser.email).map((template) => template.name)).toEqual(["Intro after a call"]);
});

test("compose inserts a template with the contact's values, says which fields stayed empty, and can undo it", async ({
  page,
  signedInUser,
}) => {
  seedContact(signedInUser.email, { name: "Ada Lovelace", email: "ada@example.com", company: "Analytical Engines" });
  seedTemplate(signedInUser.email, {
    name: "Intro",
    subject: "Hello {{first_name | there}}",
    body: "Hi {{first_name | there}} at {{company}} ({{title}}),\n{{my_first_name}}",
  });

  await page.goto("/compose?to=ada@example.com");
  await expect(page.getByRole("button", { name: "Remove ada@example.com", exact: true })).toBeVisible();
  const picker = page.getByLabel("Insert template");
  await picker.selectOption({ label: "Intro" });
  await page.getByRole("button", { name: "Insert", exact: true }).click();

  await expect(field(page, "Subject")).toHaveValue("Hello Ada");
  await expect(field(page, "Body")).toHaveValue("Hi Ada at Analytical Engines (),\nE2E");
  await expect(field(page, "Body")).toBeFocused();
  await expect(page.getByText("Inserted “Intro” for Ada Lovelace.")).toBeVisible();
  await expect(page.getByText("Left empty, with no value or fallback: {{title}}.")).toBeVisible();

  await page.getByRole("button", { name: "Undo insert" }).click();
  await expect(field(page, "Subject")).toHaveValue("");
  await expect(field(page, "Body")).toHaveValue("");

  // To someone else, the contact's values do not apply: fallbacks do, and the empty fields are named.
  await page.getByRole("button", { name: "Remove ada@example.com", exact: true }).click();
  await field(page, "Body").fill("Before. ");
  await picker.selectOption({ label: "Intro" });
  await page.getByRole("button", { name: "Insert", exact: true }).click();
  await expect(field(page, "Subject")).toHaveValue("Hello there");
  await expect(field(page, "Body")).toHaveValue("Before. Hi there at  (),\nE2E");
  await expect(page.getByText("Left empty, with no value or fallback: {{company}}, {{title}}.")).toBeVisible();
  await expectAccessible(page);
});

/** As e2e/accessibility.spec.ts checks every page: no serious axe violation, no sideways scrolling at 375 px. */
async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? ""));
  expect(
    serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target).join(", ")}`),
  ).toEqual([]);
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${page.url()} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("another user's template is not found, and every templates page is accessible", async ({ page, signedInUser }) => {
  const otherEmail = `other-${randomUUID().slice(0, 8)}@evergreen.test`;
  withAppDatabase((db) =>
    db
      .prepare(`INSERT INTO "User" (id, email, createdAt, updatedAt) VALUES (?, ?, ?, ?)`)
      .run(randomUUID(), otherEmail, new Date().toISOString(), new Date().toISOString()),
  );
  const theirs = seedTemplate(otherEmail, { name: "Secret template", subject: "Secret", body: "Secret body" });
  const response = await page.goto(`/templates/${theirs}/edit`);
  expect(response?.status()).toBe(404);
  await expect(page.getByText("Secret template")).toHaveCount(0);
  await page.goto("/templates");
  await expect(page.getByText("No templates yet.")).toBeVisible();
  await expectAccessible(page);

  const mine = seedTemplate(signedInUser.email, {
    name: `A rather long template name for ${"very ".repeat(12)}long outreach`,
    subject: `Following up on ${"our conversation ".repeat(10)}{{company | your team}}`,
    body: "Hi {{first_name | there}},\n\nThanks for your time.",
  });
  await page.goto("/templates");
  await expect(templates(page)).toHaveCount(1);
  await expectAccessible(page);
  await page.getByRole("button", { name: /^Delete A rather long/ }).click();
  await expect(page.getByRole("button", { name: "Yes, delete template" })).toBeFocused();
  await expectAccessible(page);

  await page.goto(`/templates/${mine}/edit`);
  await expect(page.getByRole("heading", { name: /^Edit A rather long/ })).toBeVisible();
  await expectAccessible(page);

  await page.goto("/templates/new");
  await page.getByRole("button", { name: "Save template" }).click();
  await expect(field(page, "Name")).toHaveAttribute("aria-invalid", "true");
  await expect(field(page, "Body")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
});
