import { randomBytes, randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { withAppDatabase } from "./app-database";
import { expectNoSeriousAxeViolation } from "./axe";
import { expect, test } from "./signed-in";

// Sequences in Chromium against the production build: the form's errors at their fields, enrolment
// from a contact's page and from a selection (never an unsubscribed contact), Mark as replied, and an
// edit that makes version 2 while enrolled contacts stay on version 1 until moved. The window opens
// only on the weekday three days from now, so the sequence feeder sends nothing meanwhile.

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

type Person = { name: string; unsubscribed?: boolean };

/** Contacts of the signed-in user, written straight into the app's database; their ids by name. */
function seedContacts(userEmail: string, people: Person[]): Record<string, string> {
  const suffix = randomBytes(3).toString("hex");
  return withAppDatabase((db) => {
    const { id: userId } = db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(userEmail) as { id: string };
    const now = new Date().toISOString();
    const ids: Record<string, string> = {};
    for (const person of people) {
      const id = randomUUID();
      const email = `${person.name.split(" ")[0]!.toLowerCase()}-${suffix}@example.com`;
      db.prepare(
        `INSERT INTO "Contact" (id, userId, name, email, searchText, unsubscribedAt, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        userId,
        person.name,
        email,
        `${person.name} ${email}`.toLowerCase(),
        person.unsubscribed ? now : null,
        now,
        now,
      );
      if (person.unsubscribed)
        db.prepare(`INSERT INTO "Suppression" (userId, email, unsubscribedAt) VALUES (?, ?, ?)`).run(
          userId,
          email,
          now,
        );
      ids[person.name] = id;
    }
    return ids;
  });
}

/** The number a count of the sequence page's "Enrolled" section shows. */
const count = (page: Page, label: string) =>
  page
    .getByRole("region", { name: "Enrolled" })
    .locator("div", { has: page.getByText(label, { exact: true }) })
    .getByRole("definition");

test("a two-step sequence: refused at its fields, enrolled from a contact page and a selection (not the unsubscribed), marked as replied, edited into version 2 with the enrolled kept on version 1 until moved", async ({
  page,
  signedInUser: user,
}) => {
  test.slow();
  const contacts = seedContacts(user.email, [
    { name: "Ada Lovelace" },
    { name: "Grace Hopper" },
    { name: "Uma Unsubscribed", unsubscribed: true },
  ]);
  const name = `Trial follow-up ${randomBytes(2).toString("hex")}`;
  const sendDay = DAY_NAMES[(new Date().getUTCDay() + 3) % 7]!;

  await page.goto("/sequences");
  await expect(page.getByRole("heading", { name: "No sequences yet" })).toBeVisible();
  await page.getByRole("link", { name: "New sequence" }).click();
  await expect(page).toHaveURL(/\/sequences\/new$/);
  await expectNoSeriousAxeViolation(page);

  // Two steps, the first without a subject.
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Time zone").selectOption("UTC");
  const sendWindow = page.getByRole("group", { name: "When steps may go out" });
  for (const day of ["Mon", "Tue", "Wed", "Thu", "Fri"]) await sendWindow.getByLabel(day, { exact: true }).uncheck();
  await sendWindow.getByLabel(sendDay, { exact: true }).check();
  const first = page.getByRole("group", { name: "Step 1: the first email" });
  await first.getByLabel("Message").fill("Hi {{first_name | there}}, a first note.");
  await page.getByRole("button", { name: "Add a follow-up" }).click();
  const second = page.getByRole("group", { name: "Step 2: a follow-up in the same thread" });
  await expect(second.getByLabel("Wait (days)")).toBeFocused();
  await expect(second.getByLabel("Wait (days)")).toHaveValue("3");
  await expect(second.getByLabel("Business days only")).toBeChecked();
  await second.getByLabel("Message").fill("Just checking in.");
  // A third step, removed again.
  await page.getByRole("button", { name: "Add a follow-up" }).click();
  await page.getByRole("button", { name: "Remove step 3" }).click();
  await expect(page.getByRole("group", { name: /^Step 3/ })).toHaveCount(0);

  await page.getByRole("button", { name: "Save sequence" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Not saved: fix what is marked below." })).toBeVisible();
  const subject = first.getByLabel("Subject");
  await expect(subject).toBeFocused();
  await expect(subject).toHaveAttribute("aria-invalid", "true");
  await expect(subject).toHaveAccessibleDescription(/Step 1 subject is required: the first email needs one\./);
  // What was typed is kept.
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expect(second.getByLabel("Message")).toHaveValue("Just checking in.");
  await expect(sendWindow.getByLabel(sendDay, { exact: true })).toBeChecked();
  await expectNoSeriousAxeViolation(page);

  await subject.fill("A question about {{company | your team}}");
  await page.getByRole("button", { name: "Save sequence" }).click();
  await expect(page).toHaveURL(/\/sequences\/[A-Za-z0-9_-]+\?notice=created$/);
  const sequenceUrl = page.url().replace(/\?.*$/, "");
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("Nobody is enrolled yet.")).toBeVisible();

  // Enrol Ada from her page.
  await page.goto(`/contacts/${contacts["Ada Lovelace"]}`);
  const panel = page.getByRole("region", { name: "Sequences" });
  await expect(panel).toContainText("Not in any sequence.");
  await panel.getByLabel("Sequence", { exact: true }).selectOption({ label: name });
  await panel.getByRole("button", { name: "Enrol in sequence" }).click();
  await expect(panel.getByRole("status").filter({ hasText: "Enrolled" })).toHaveText("Enrolled 1 contact.");
  await expect(panel.getByRole("listitem")).toContainText("Active");
  await expect(panel.getByRole("listitem")).toContainText("Step 1 of 2");

  // An unsubscribed contact is refused, and the answer says why.
  await page.goto(`/contacts/${contacts["Uma Unsubscribed"]}`);
  await page.getByRole("button", { name: "Enrol in sequence" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not enrolled because they unsubscribed" })).toHaveText(
    "No contact was enrolled. 1 contact was not enrolled because they unsubscribed.",
  );

  // Grace from a selection on the contacts list.
  await page.goto(`/contacts?q=${encodeURIComponent("Grace Hopper")}`);
  await page.getByRole("checkbox", { name: "Select Grace Hopper" }).check();
  const selection = page.getByRole("region", { name: "Selection" });
  await selection.getByLabel("Sequence", { exact: true }).selectOption({ label: name });
  await selection.getByRole("button", { name: "Enrol in sequence" }).click();
  await expect(selection.getByRole("status").filter({ hasText: "Enrolled" })).toHaveText("Enrolled 1 contact.");

  await page.goto(sequenceUrl);
  const ada = page.getByRole("row", { name: /Ada Lovelace/ });
  await expect(ada).toContainText("Active");
  await expect(ada).toContainText("Step 1 of 2");
  await expect(count(page, "Enrolled")).toHaveText("2");
  await expect(count(page, "Active")).toHaveText("2");
  await expectNoSeriousAxeViolation(page);

  await ada.getByRole("button", { name: "Mark as replied for Ada Lovelace" }).click();
  await expect(count(page, "Replied")).toHaveText("1");
  await expect(ada).toContainText("Replied");
  await expect(count(page, "Active")).toHaveText("1");

  // Editing the steps makes version 2; Grace stays on version 1 until moved.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await page
    .getByRole("group", { name: "Step 2: a follow-up in the same thread" })
    .getByLabel("Message")
    .fill("Just checking in, with a better note.");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(
    page.getByText("Saved as version 2; enrolled contacts stay on their version until you move them."),
  ).toBeVisible();
  const grace = page.getByRole("row", { name: /Grace Hopper/ });
  await expect(grace).toContainText("on version 1");
  await expect(page.getByRole("region", { name: "Versions" })).toContainText("Version 2 (current)");
  await expect(page.getByRole("button", { name: "Move everyone to version 2" })).toBeVisible();
  await grace.getByRole("button", { name: "Move to version 2 for Grace Hopper" }).click();
  await expect(grace).not.toContainText("on version 1");
  await expect(grace).toContainText("Step 1 of 2");
  await expect(page.getByRole("button", { name: "Move everyone to version 2" })).toHaveCount(0);

  // Ada's timeline shows her reply, with its date.
  await page.goto(`/contacts/${contacts["Ada Lovelace"]}`);
  const reply = page.getByRole("row", { name: `Their reply stopped “${name}”` });
  await expect(reply).toContainText("Replied");
  await expect(reply.locator("time")).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Sequences" })).toContainText("Replied");
});
