import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import Database from "better-sqlite3";
import { withAppDatabase } from "./app-database";
import { E2E } from "./e2e-config";
import { expect, test } from "./signed-in";

// Contacts: the list and its search, a contact's page with the email sent to them, and CSV import.

type SeedContact = { name?: string; email: string; company?: string; title?: string };

function userIdOf(db: Database.Database, email: string): string {
  return (db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as { id: string }).id;
}

/** A contact as the app stores it, written straight into its database. */
function seedContact(userEmail: string, contact: SeedContact): string {
  return withAppDatabase((db) => {
    const id = randomUUID();
    const now = new Date().toISOString();
    const name = contact.name ?? "";
    const company = contact.company ?? "";
    db.prepare(
      `INSERT INTO "Contact" (id, userId, name, email, company, title, searchText, createdAt, updatedAt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      userIdOf(db, userEmail),
      name,
      contact.email,
      company,
      contact.title ?? "",
      [name || contact.email, contact.email, company].join("\n").toLowerCase(),
      now,
      now,
    );
    return id;
  });
}

/** A message the outbox has already sent through Gmail (or still holds), as it leaves the row. */
function seedMessage(userEmail: string, message: { to: string; subject: string; status: string; threadId?: string }) {
  withAppDatabase((db) => {
    const id = randomUUID();
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO "Message" (id, userId, "to", cc, bcc, subject, text, status, idempotencyKey, rfc822MessageId, gmailThreadId, sentAt, nextAttemptAt, createdAt, updatedAt)
       VALUES (?, ?, ?, '[]', '[]', ?, 'Hello', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      userIdOf(db, userEmail),
      JSON.stringify([message.to]),
      message.subject,
      message.status,
      randomUUID().replaceAll("-", ""),
      `<${id}@evergreen.test>`,
      message.threadId ?? null,
      message.status === "SENT" ? now : null,
      message.status === "QUEUED" ? new Date(Date.now() + 24 * 60 * 60_000).toISOString() : null,
      now,
      now,
    );
    // As the app writes with every message: the index a contact's timeline reads.
    db.prepare(`INSERT INTO "MessageRecipient" (messageId, userId, email, createdAt) VALUES (?, ?, ?, ?)`).run(
      id,
      userIdOf(db, userEmail),
      message.to.toLowerCase(),
      now,
    );
  });
}

function contactsOf(userEmail: string) {
  return withAppDatabase(
    (db) =>
      db
        .prepare(`SELECT name, email, company, title, notes FROM "Contact" WHERE userId = ? ORDER BY email`)
        .all(userIdOf(db, userEmail)) as Array<Record<string, string>>,
  );
}

test("an empty list teaches the next step", async ({ page, signedInUser }) => {
  void signedInUser;
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
  await expect(page.getByRole("heading", { name: "Contacts", level: 1 })).toBeVisible();
  await expect(page.getByText("No contacts yet.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Add a contact" }).first()).toHaveAttribute("href", "/contacts/new");
  await expect(page.getByRole("link", { name: "Import a CSV" }).first()).toHaveAttribute("href", "/contacts/import");
});

test("add a contact (after fixing a field), find it, edit it and delete it", async ({ page, signedInUser }) => {
  await page.goto("/contacts/new");
  await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("ada@");
  await page.getByLabel("Company").fill("Analytical Engines");
  await page.getByRole("button", { name: "Save contact" }).click();

  const email = page.getByRole("textbox", { name: "Email", exact: true });
  await expect(page.getByText("Email is not a valid address: write it like name@example.com.")).toBeVisible();
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toBeFocused();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Ada Lovelace");
  await expect(page.getByLabel("Company")).toHaveValue("Analytical Engines");

  await email.fill("Ada@Example.com");
  await email.press("Enter");
  await expect(page).toHaveURL(/\/contacts\/[^/?]+\?notice=created$/);
  await expect(page.getByRole("heading", { name: "Ada Lovelace", level: 1 })).toBeVisible();
  await expect(page.getByText("Contact saved.")).toBeVisible();
  await expect(page.getByRole("region", { name: "Details" })).toContainText("ada@example.com");

  // The same address again is refused at the field, whatever its case.
  await page.goto("/contacts/new");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("ADA@example.com");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByText(/already belongs to one of your contacts \(Ada Lovelace\)/)).toBeVisible();
  seedContact(signedInUser.email, { name: "Grace Hopper", email: "grace@navy.test", company: "US Navy" });

  await page.goto("/contacts");
  const search = page.getByRole("searchbox", { name: "Search contacts" });
  await search.fill("LOVELACE");
  await search.press("Enter");
  await expect(page).toHaveURL(/\?q=LOVELACE$/);
  const table = page.getByRole("table", { name: "Contacts" });
  await expect(table.getByRole("link", { name: "Ada Lovelace" })).toBeVisible();
  await expect(table.getByRole("link", { name: "Grace Hopper" })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "1 contact matches “LOVELACE”." })).toBeVisible();

  await search.fill("navy");
  await search.press("Enter");
  await expect(table.getByRole("link", { name: "Grace Hopper" })).toBeVisible();
  await search.fill("nobody here");
  await search.press("Enter");
  await expect(page.getByText("No contacts match “nobody here”.")).toBeVisible();

  await page.getByRole("link", { name: "Show all contacts" }).click();
  await page.getByRole("table", { name: "Contacts" }).getByRole("link", { name: "Ada Lovelace" }).click();
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Edit Ada Lovelace" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Email", exact: true })).toHaveValue("ada@example.com");
  await page.getByLabel("Title").fill("Countess");
  await page.getByLabel("Notes").fill("Met at the Society.\nWrites long notes.");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Changes saved.")).toBeVisible();
  await expect(page.getByText("Countess, Analytical Engines")).toBeVisible();
  await expect(page.getByText("Writes long notes.")).toBeVisible();

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByText("Delete Ada Lovelace?")).toBeVisible();
  await expect(page.getByRole("button", { name: "Yes, delete contact" })).toBeFocused();
  await page.getByRole("button", { name: "Keep contact" }).click();
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toBeFocused();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  // Escape keeps the contact too, as it would close a dialog.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Yes, delete contact" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toBeFocused();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: "Yes, delete contact" }).click();
  await expect(page).toHaveURL(/\/contacts\?notice=deleted$/);
  await expect(page.getByText("Contact deleted.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Ada Lovelace" })).toHaveCount(0);
  expect(contactsOf(signedInUser.email).map((contact) => contact.email)).toEqual(["grace@navy.test"]);
});

test("the list pages by 25", async ({ page, signedInUser }) => {
  for (let i = 0; i < 30; i += 1)
    seedContact(signedInUser.email, { name: `Person ${String(i).padStart(2, "0")}`, email: `p${i}@bulk.test` });
  await page.goto("/contacts");
  const pages = page.getByRole("navigation", { name: "Pages" });
  await expect(pages).toContainText("Page 1 of 2");
  await expect(page.getByRole("table", { name: "Contacts, page 1 of 2" }).getByRole("row")).toHaveCount(26);
  await pages.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/\/contacts\?page=2$/);
  await expect(page.getByRole("table", { name: "Contacts, page 2 of 2" }).getByRole("link")).toHaveText([
    "Person 25",
    "Person 26",
    "Person 27",
    "Person 28",
    "Person 29",
  ]);
  await expect(pages.getByRole("link", { name: "Previous page" })).toHaveAttribute("href", "/contacts");

  // Search looks for words: the count never claims a match for characters it did not look for.
  await page.goto("/contacts?q=%25");
  await expect(page.getByRole("status")).toHaveText(
    "30 contacts. % _ and \\ are not searched for: showing all contacts. Showing 1–25.",
  );
  await page.goto("/contacts?q=p2_%40bulk");
  await expect(page.getByRole("status")).toContainText(
    "contacts match “p2_@bulk”. % _ and \\ are not searched for: this looked for “p2” and “@bulk”.",
  );
});

test("import a CSV: a file that cannot be read, then a preview with a bad row and merged duplicates, then files in UTF-8 and in Excel's Windows-1252", async ({
  page,
  signedInUser,
}) => {
  seedContact(signedInUser.email, { name: "Grace", email: "grace@navy.test" });
  await page.goto("/contacts/import");
  const pasted = page.getByLabel("Or paste the CSV text");

  await pasted.fill("name,company\nAda,Engines");
  await page.getByRole("button", { name: "Preview import" }).click();
  await expect(page.getByText(/The first row must name the columns, one of them "email"/)).toBeVisible();
  await expect(pasted).toHaveValue("name,company\nAda,Engines");

  const csv = [
    "Name,Email,Company,Title,Favourite colour",
    'Ada Lovelace,ADA@example.com,"Analytical Engines, Ltd",,blue',
    "Grace Hopper,grace@navy.test,US Navy,,",
    "Bad Row,not-an-address,,,",
    '"=HYPERLINK(""http://evil.test"",""x"")",ada@example.com,,Countess,',
  ].join("\r\n");
  await pasted.fill(csv);
  await page.getByRole("button", { name: "Preview import" }).click();

  const preview = page.getByRole("region", { name: "Preview: nothing is saved yet" });
  await expect(preview.getByRole("status")).toHaveText(
    "1 new contact, 1 update, 0 unchanged. 1 row has a problem and will be skipped.",
  );
  await expect(preview).toContainText("an empty cell keeps it");
  await expect(preview).toContainText("Columns not imported: “Favourite colour”.");
  const problems = preview.getByRole("table", { name: /Rows that will be skipped/ });
  await expect(problems.getByRole("row", { name: /^4 Email/ })).toContainText(
    "Email is not a valid address: write it like name@example.com.",
  );
  const plan = preview.getByRole("table", { name: "What will be imported" });
  await expect(plan.getByRole("row", { name: /^ada@example\.com/ })).toContainText("2, 5 (merged)");
  await expect(plan.getByRole("row", { name: /^ada@example\.com/ })).toContainText(
    '=HYPERLINK("http://evil.test","x")',
  );
  await expect(plan.getByRole("row", { name: /^grace@navy\.test/ })).toContainText("Updates name, company");
  expect(contactsOf(signedInUser.email)).toHaveLength(1);

  await preview.getByRole("button", { name: "Import 2 contacts" }).click();
  await expect(page.getByText("Imported: 1 contact added, 1 updated, 1 row skipped.")).toBeVisible();
  expect(contactsOf(signedInUser.email)).toEqual([
    {
      name: '=HYPERLINK("http://evil.test","x")',
      email: "ada@example.com",
      company: "Analytical Engines, Ltd",
      title: "Countess",
      notes: "",
    },
    { name: "Grace Hopper", email: "grace@navy.test", company: "US Navy", title: "", notes: "" },
  ]);
  await page.getByRole("link", { name: "See your contacts" }).click();
  await expect(page.getByRole("table", { name: "Contacts" }).getByRole("link", { name: "Grace Hopper" })).toBeVisible();

  // A file works the same way, whether saved as "CSV UTF-8" or as Excel's plain "CSV" (Windows-1252).
  const filePreview = page.getByRole("region", { name: "Preview: nothing is saved yet" });
  await page.goto("/contacts/import");
  await page.getByLabel("CSV file").setInputFiles({
    name: "contacts.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("\uFEFFemail,name\r\nzoe@x.test,Zoë\r\n", "utf8"),
  });
  await page.getByRole("button", { name: "Preview import" }).click();
  await expect(filePreview.getByRole("status")).toHaveText("1 new contact, 0 updates, 0 unchanged.");
  await expect(filePreview.getByText("Encoding: UTF-8.")).toBeVisible();

  await page.getByRole("button", { name: "Start over" }).click();
  await page.getByLabel("CSV file").setInputFiles({
    name: "excel.csv",
    mimeType: "text/csv",
    // "Zoë", "José" and "€5 “VIP”" as Excel's plain CSV writes them: ë=EB, é=E9, €=80, “=93, ”=94.
    buffer: Buffer.from(
      "email,name,notes\r\nzoe@x.test,Zo\xeb,\x805 \x93VIP\x94\r\njose@x.test,Jos\xe9,\r\n",
      "latin1",
    ),
  });
  await page.getByRole("button", { name: "Preview import" }).click();
  await expect(filePreview.getByRole("status")).toHaveText("2 new contacts, 0 updates, 0 unchanged.");
  await expect(
    filePreview.getByText(/^Encoding: Windows-1252 \(Excel's plain “CSV”\), converted to UTF-8\./),
  ).toBeVisible();
  await expect(filePreview.getByRole("row", { name: /^zoe@x\.test/ })).toContainText("Zoë");
  await filePreview.getByRole("button", { name: "Import 2 contacts" }).click();
  await expect(page.getByText("Imported: 2 contacts added, 0 updated.")).toBeVisible();
  expect(contactsOf(signedInUser.email)).toEqual(
    expect.arrayContaining([
      { name: "Zoë", email: "zoe@x.test", company: "", title: "", notes: "€5 “VIP”" },
      { name: "José", email: "jose@x.test", company: "", title: "", notes: "" },
    ]),
  );
});

test("a contact's page shows the email sent to them, opens it in Gmail, and writes a new one", async ({
  page,
  signedInUser,
}) => {
  const id = seedContact(signedInUser.email, { name: "Grace Hopper", email: "grace@navy.test", company: "US Navy" });
  seedMessage(signedInUser.email, {
    to: "grace@navy.test",
    subject: "About COBOL",
    status: "SENT",
    threadId: "18c2f0a1b2c3d4e5",
  });
  seedMessage(signedInUser.email, { to: "grace@navy.test", subject: "Next week", status: "QUEUED" });
  seedMessage(signedInUser.email, {
    to: "someone@else.test",
    subject: "Not to Grace",
    status: "SENT",
    threadId: "abc",
  });

  await page.goto(`/contacts/${id}`);
  await expect(page.getByRole("heading", { name: "Grace Hopper", level: 1 })).toBeVisible();
  const timeline = page.getByRole("table", { name: "Email to Grace Hopper, newest first" });
  const sent = timeline.getByRole("row", { name: /About COBOL/ });
  await expect(sent).toContainText("Sent");
  await expect(sent.getByRole("link", { name: "Open in Gmail: About COBOL (opens a new tab)" })).toHaveAttribute(
    "href",
    `https://mail.google.com/mail/u/${encodeURIComponent(signedInUser.email)}/#sent/18c2f0a1b2c3d4e5`,
  );
  await expect(timeline.getByRole("row", { name: /Next week/ })).toContainText("Queued");
  await expect(timeline.getByRole("row", { name: /Not to Grace/ })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Details" })).not.toContainText("Never");

  await page.getByRole("link", { name: "Email", exact: true }).click();
  await expect(page).toHaveURL(/\/compose\?to=grace%40navy\.test$/);
});

test("compose suggests the user's contacts, by name and address, besides those recently emailed", async ({
  page,
  signedInUser,
}) => {
  seedContact(signedInUser.email, { name: "Alice Liddell", email: "alice@wonder.test" });
  seedContact(signedInUser.email, { email: "nameless@wonder.test" });
  await page.goto("/compose");
  const suggestions = page.locator("datalist#recent-recipients option");
  await expect(suggestions.and(page.locator('[value="alice@wonder.test"]'))).toHaveAttribute("label", "Alice Liddell");
  await expect(suggestions.and(page.locator('[value="nameless@wonder.test"]'))).toHaveCount(1);
});

test("another user's contact is not found", async ({ page, signedInUser }) => {
  void signedInUser;
  const otherEmail = `other-${randomUUID().slice(0, 8)}@evergreen.test`;
  withAppDatabase((db) =>
    db
      .prepare(`INSERT INTO "User" (id, email, createdAt, updatedAt) VALUES (?, ?, ?, ?)`)
      .run(randomUUID(), otherEmail, new Date().toISOString(), new Date().toISOString()),
  );
  const theirs = seedContact(otherEmail, { name: "Secret Person", email: "secret@x.test" });

  for (const path of [`/contacts/${theirs}`, `/contacts/${theirs}/edit`]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByText("Secret Person")).toHaveCount(0);
  }
  await page.goto("/contacts?q=secret");
  await expect(page.getByText("No contacts match “secret”.")).toBeVisible();
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

test("every contacts page is accessible, with errors, a preview and a timeline showing", async ({
  page,
  signedInUser,
}) => {
  const id = seedContact(signedInUser.email, {
    name: "Grace Brewster Murray Hopper",
    email: "grace.brewster.murray.hopper@very-long-department-name.navy.test",
    company: "US Navy",
    title: "Rear Admiral",
  });
  seedMessage(signedInUser.email, {
    to: "grace.brewster.murray.hopper@very-long-department-name.navy.test",
    subject: "About COBOL",
    status: "SENT",
    threadId: "18c2f0a1b2c3d4e5",
  });

  await page.goto("/contacts");
  await expect(page.getByRole("table", { name: "Contacts" })).toBeVisible();
  await expectAccessible(page);

  await page.goto(`/contacts/${id}`);
  await expect(page.getByRole("table", { name: /Email to/ })).toBeVisible();
  await expectAccessible(page);

  await page.goto(`/contacts/${id}/edit`);
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("nope");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Email is not a valid address")).toBeVisible();
  await expectAccessible(page);

  await page.goto("/contacts/import");
  await expectAccessible(page);
  await page.getByLabel("Or paste the CSV text").fill("email,name\nbad,Bad\nnew@x.test,New");
  await page.getByRole("button", { name: "Preview import" }).click();
  await expect(page.getByRole("table", { name: "What will be imported" })).toBeVisible();
  await expectAccessible(page);
});
