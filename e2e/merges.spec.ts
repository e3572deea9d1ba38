import { randomBytes, randomUUID } from "node:crypto";
import { simpleParser } from "mailparser";
import type { Page } from "@playwright/test";
import type { MessageView } from "@/google-emulator/control/api";
import { withAppDatabase } from "./app-database";
import { expectNoSeriousAxeViolation } from "./axe";
import { E2E } from "./e2e-config";
import { approveOnGoogle, googleEmulator } from "./fixtures";
import { expect, test } from "./signed-in";

// A mail merge in Chromium, against the production build and the local Google: the report before
// anything is sent, a test to yourself, each recipient exactly once and alone in To, one-click
// unsubscribe honoured by the next merge, and a merge that waits for reconnect and resumes at its pace.

type Person = { name: string; company?: string };

/** Contacts of the signed-in user, all with one tag, written straight into the app's database. */
function seedTaggedContacts(userEmail: string, tag: string, people: Person[]): string[] {
  return withAppDatabase((db) => {
    const { id: userId } = db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(userEmail) as { id: string };
    const now = new Date().toISOString();
    const insert = db.prepare(
      `INSERT INTO "Contact" (id, userId, name, email, company, searchText, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const tagRow = db.prepare(`INSERT INTO "ContactTag" (contactId, userId, key, label) VALUES (?, ?, ?, ?)`);
    return people.map((person, index) => {
      const id = randomUUID();
      const email = `${tag}-${index}@example.com`;
      insert.run(
        id,
        userId,
        person.name,
        email,
        person.company ?? "",
        `${person.name || email} ${email}`.toLowerCase(),
        now,
        now,
      );
      tagRow.run(id, userId, tag, tag);
      return email;
    });
  });
}

function seedTemplate(userEmail: string, name: string, subject: string, body: string) {
  withAppDatabase((db) => {
    const { id: userId } = db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(userEmail) as { id: string };
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO "Template" (id, userId, name, subject, body, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(randomUUID(), userId, name, subject, body, now, now);
  });
}

async function deliveredTo(addresses: string[]): Promise<MessageView[]> {
  const { messages } = await googleEmulator.call<{ messages: MessageView[] }>("/messages");
  return messages.filter((message) => message.envelope.to.some((to) => addresses.includes(to)));
}

async function prepareMergeToTag(page: Page, tag: string) {
  await page.goto("/merges");
  await page.getByLabel("Tag").selectOption(tag);
  await page.getByRole("button", { name: "Prepare the merge" }).click();
  await expect(page).toHaveURL(/\/merges\/[A-Za-z0-9_-]+$/);
}

test("a merge to a tag: the report, a fallback, a test to me, then each recipient once, alone in To; one-click unsubscribe is honoured by the next merge", async ({
  page,
  context,
  signedInUser: user,
}) => {
  test.slow();
  const tag = `vip${randomBytes(3).toString("hex")}`;
  const addresses = seedTaggedContacts(user.email, tag, [
    { name: "Grace Hopper", company: "Navy" },
    { name: "Alan Turing" },
    { name: "" },
  ]);
  seedTemplate(
    user.email,
    "Spring hello",
    "Hi {{first_name}}",
    "Hello {{first_name}},\nhow is {{company | your team}}?\n{{my_first_name}}",
  );

  await prepareMergeToTag(page, tag);
  await expect(page.getByText("3 of 3 recipients will get this email")).toBeVisible();

  await page.getByLabel("Template", { exact: true }).selectOption({ label: "Spring hello" });
  await page.getByRole("button", { name: "Use this template" }).click();
  await expect(page.getByText("Template copied into the message.")).toBeVisible();

  // The recipient without a name has no first name: the report names them and offers the fixes.
  const firstName = page.getByRole("heading", { name: /\{\{first_name\}\}: 1 recipient has no first name/ });
  await expect(firstName).toBeVisible();
  await expect(page.getByRole("link", { name: /Edit contact/ })).toHaveCount(1);
  await page.getByRole("button", { name: /^Start/ }).click();
  await expect(page.getByRole("alert").filter({ hasText: "1 recipient has no first name" })).toBeVisible();

  await page.getByRole("textbox", { name: "Fallback for first name", exact: true }).fill("there");
  await page.getByRole("button", { name: "Set fallback" }).first().click();
  await expect(page.getByRole("heading", { name: /every recipient has a value or gets “there”/ })).toBeVisible();

  // The preview walks the recipients.
  const preview = page.getByRole("region", { name: "Preview" });
  // The ledger is in name order: Alan, Grace, then the contact without a name.
  await expect(preview).toContainText("Hi Alan");
  await expect(preview).toContainText("how is your team?");
  await preview.getByRole("link", { name: "Next recipient →" }).click();
  await expect(preview).toContainText("As recipient 2 of 3");
  await expect(preview).toContainText("Hi Grace");

  // A test to the user's own address, marked, and not counted.
  await preview.getByRole("button", { name: "Send a test to me" }).click();
  await expect(page.getByText("Test sent to your Gmail address")).toBeVisible();
  await expect
    .poll(async () => (await deliveredTo([user.email])).map((message) => message.subject), { timeout: 30_000 })
    .toContain("[Test] Hi Grace");

  // Start from two tabs: it starts once.
  const second = await context.newPage();
  await second.goto(page.url());
  await Promise.all([
    page.getByRole("button", { name: "Start: email 3 recipients" }).click(),
    second.getByRole("button", { name: "Start: email 3 recipients" }).click(),
  ]);
  await expect(page.getByText("Started.")).toBeVisible();

  await expect.poll(async () => (await deliveredTo(addresses)).length, { timeout: 30_000 }).toBe(3);
  const delivered = await deliveredTo(addresses);
  expect(delivered.map((message) => message.subject).sort()).toEqual(["Hi Alan", "Hi Grace", "Hi there"]);
  for (const message of delivered) expect(message.envelope.to).toHaveLength(1);
  const grace = delivered.find((message) => message.envelope.to[0] === addresses[0])!;
  expect(grace.text).toContain("how is Navy?");

  await expect(page.getByText(/Sent 3 of 3/)).toBeVisible({ timeout: 15_000 });
  const ledger = page.getByRole("table");
  await expect(ledger.getByText("Sent", { exact: true })).toHaveCount(3);

  // Nothing more arrives later.
  await page.waitForTimeout(2_000);
  expect((await deliveredTo(addresses)).length).toBe(3);

  // The one-click unsubscribe Gmail would make: a POST with no cookie and no Origin.
  const parsed = await simpleParser(grace.raw);
  const listHeaders = parsed.headerLines.filter((line) => line.key.startsWith("list-")).map((line) => line.line);
  expect(listHeaders[1]).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
  const url = /^List-Unsubscribe: <(https?:[^>]+)>$/.exec(listHeaders[0] ?? "")?.[1];
  expect(url).toBeTruthy();
  const path = new URL(url ?? "").pathname;
  const oneClick = await fetch(new URL(path, E2E.appUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
  expect(oneClick.status).toBe(200);

  // The next merge to the same tag leaves Grace out and says why.
  await prepareMergeToTag(page, tag);
  await expect(page.getByText("2 of 3 recipients will get this email")).toBeVisible();
  await expect(page.getByText("Unsubscribed, excluded: 1")).toBeVisible();
});

test("a merge whose Gmail access ends mid-way waits for reconnect, shown on the dashboard, then resumes without a burst", async ({
  page,
  signedInUser: user,
}) => {
  test.slow();
  const tag = `wait${randomBytes(3).toString("hex")}`;
  const addresses = seedTaggedContacts(
    user.email,
    tag,
    Array.from({ length: 6 }, (_, index) => ({ name: `Person ${index}` })),
  );
  await prepareMergeToTag(page, tag);
  await page.getByLabel("Subject").fill("Hello {{first_name}}");
  await page.getByLabel("Body").fill("A short note.");
  await page.getByRole("button", { name: "Save message" }).click();
  await expect(page.getByText("Message saved.")).toBeVisible();

  // Access removed at Google before the start: the first send finds it ended.
  await googleEmulator.call(`/users/${encodeURIComponent(user.email)}/revoke`, { body: {} });
  await page.getByRole("button", { name: "Start: email 6 recipients" }).click();
  await expect(page.getByText("Waiting for reconnect: Gmail needs reconnecting")).toBeVisible({ timeout: 30_000 });
  expect((await deliveredTo(addresses)).length).toBe(0);

  await page.goto("/dashboard");
  await expect(page.getByRole("alert").filter({ hasText: "waiting for reconnect" })).toBeVisible();
  await page.getByRole("button", { name: "Reconnect Gmail" }).first().click();
  await approveOnGoogle(page, user.email);

  await expect.poll(async () => (await deliveredTo(addresses)).length, { timeout: 30_000 }).toBe(6);
  const delivered = await deliveredTo(addresses);
  expect(new Set(delivered.map((message) => message.envelope.to[0])).size).toBe(6);
  // At the merge's pace (120 a minute, one every half second), not the backlog at once.
  const times = delivered.map((message) => Date.parse(message.sentAt ?? "")).sort((a, b) => a - b);
  expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1_500);
});

test("more than 2,000 recipients are refused with the limit named; a merge to no one is refused", async ({
  page,
  signedInUser: user,
}) => {
  void user;
  await page.goto("/merges");
  await page.getByLabel("Search").fill(`nobody-${randomBytes(4).toString("hex")}`);
  await page.getByRole("button", { name: "Prepare the merge" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "No contacts to email" })).toBeVisible();
});

test("the merge page, before the start and after it, has no serious accessibility problem", async ({
  page,
  signedInUser: user,
}) => {
  const tag = `a11y${randomBytes(3).toString("hex")}`;
  seedTaggedContacts(user.email, tag, [{ name: "Ada Lovelace" }, { name: "" }]);
  await prepareMergeToTag(page, tag);
  await expectNoSeriousAxeViolation(page);
  await page.getByLabel("Subject").fill("Hello {{first_name}}");
  await page.getByLabel("Body").fill("A short note.");
  await page.getByRole("button", { name: "Save message" }).click();
  await expect(page.getByText("Message saved.")).toBeVisible();
  // Saving without choosing files attaches nothing, and what was typed is kept.
  await expect(page.getByText("Optional: files every recipient gets (25 MB in all).")).toBeVisible();
  await expect(page.getByLabel("Subject")).toHaveValue("Hello {{first_name}}");
  await expectNoSeriousAxeViolation(page);
});
