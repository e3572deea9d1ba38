import { randomBytes, randomUUID } from "node:crypto";
import { simpleParser } from "mailparser";
import type { Page } from "@playwright/test";
import type { MessageView } from "@/google-emulator/control/api";
import { withAppDatabase } from "./app-database";
import { googleEmulator } from "./fixtures";
import { expect, test, type SignedInUser } from "./signed-in";

// One-click unsubscribe (issue 19, item 4): a one-to-one email with an unsubscribe link reaches the
// local Google with both RFC 8058 headers; a GET of the link only asks; the provider's POST (no cookie,
// no Origin) unsubscribes; the contact page shows it and the user can resubscribe with a note; compose
// asks before sending to an address that unsubscribed.

test.describe.configure({ timeout: 120_000 });

function userIdOf(email: string): string {
  return withAppDatabase((db) => (db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as { id: string }).id);
}

function seedContact(userEmail: string, email: string, name: string): string {
  return withAppDatabase((db) => {
    const id = randomUUID();
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO "Contact" (id, userId, name, email, searchText, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, userIdOf(userEmail), name, email, `${name}\n${email}`.toLowerCase(), now, now);
    return id;
  });
}

function subscriptionOf(userEmail: string, email: string) {
  return withAppDatabase((db) => {
    const userId = userIdOf(userEmail);
    const suppression = db.prepare(`SELECT * FROM "Suppression" WHERE userId = ? AND email = ?`).get(userId, email);
    const contact = db
      .prepare(
        `SELECT unsubscribedAt, unsubscribedFromMessageId, resubscribedAt, resubscribeNote FROM "Contact" WHERE userId = ? AND email = ?`,
      )
      .get(userId, email) as {
      unsubscribedAt: unknown;
      unsubscribedFromMessageId: string | null;
      resubscribedAt: unknown;
      resubscribeNote: string;
    };
    return { suppressed: suppression !== undefined, ...contact };
  });
}

async function sentAs(email: string, subject: string): Promise<MessageView[]> {
  const { messages } = await googleEmulator.call<{ messages: MessageView[] }>("/messages");
  return messages.filter((message) => message.user === email && message.subject === subject);
}

async function openCompose(page: Page, user: SignedInUser) {
  await page.goto("/compose");
  await expect(page.getByText(`Sending from ${user.email} via Gmail`)).toBeVisible();
}

async function addTo(page: Page, address: string) {
  const to = page.getByLabel("To", { exact: true });
  await to.fill(address);
  await to.press("Enter");
  await expect(page.getByRole("button", { name: `Remove ${address}`, exact: true })).toBeVisible();
}

/** The mailbox provider's one-click: a POST with the RFC 8058 body and nothing else, no cookie, no Origin. */
function oneClick(url: string, encoding: "multipart" | "urlencoded" = "multipart") {
  const body = encoding === "multipart" ? new FormData() : new URLSearchParams();
  body.append("List-Unsubscribe", "One-Click");
  return fetch(url, { method: "POST", body, redirect: "manual" });
}

test("one-click unsubscribe from a one-to-one email, resubscribing with a note, and compose asking first", async ({
  page,
  signedInUser: user,
}) => {
  const address = `reader-${randomBytes(3).toString("hex")}@x.test`;
  const contactId = seedContact(user.email, address, "Grace Reader");
  const subject = `Spring offer ${Date.now()}`;
  let url = "";

  await test.step("an email with “Add an unsubscribe link” arrives with both headers intact", async () => {
    await openCompose(page, user);
    await addTo(page, address);
    await page.getByLabel("Subject", { exact: true }).fill(subject);
    await page.getByLabel("Body", { exact: true }).fill("Hi Grace,\nour spring offer is here.");
    await page.getByRole("checkbox", { name: "Add an unsubscribe link" }).check();
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page.getByRole("timer")).toBeVisible();

    await expect.poll(async () => (await sentAs(user.email, subject)).length, { timeout: 30_000 }).toBe(1);
    const [message] = await sentAs(user.email, subject);
    const parsed = await simpleParser(message!.raw);
    const lines = parsed.headerLines.filter((line) => line.key.startsWith("list-")).map((line) => line.line);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^List-Unsubscribe: <http:\/\/localhost:3100\/u\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}>$/);
    expect(lines[1]).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    url = /<(.+)>/.exec(lines[0]!)![1]!;
    expect(parsed.text?.trim()).toBe(`Hi Grace,\nour spring offer is here.\n\n--\nUnsubscribe: ${url}`);
  });

  await test.step("a GET of the link shows one button and unsubscribes no one", async () => {
    await page.goto(url);
    await expect(page.getByRole("heading", { name: "Unsubscribe" })).toBeVisible();
    await expect(page.getByRole("button")).toHaveCount(1);
    await expect(page.getByRole("button", { name: "Unsubscribe" })).toBeVisible();
    expect(subscriptionOf(user.email, address)).toMatchObject({ suppressed: false, unsubscribedAt: null });
  });

  await test.step("the provider's POST, without cookie or Origin, answers 200 and marks the contact; again 200", async () => {
    const first = await oneClick(url);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain(`You are unsubscribed from ${user.name}'s emails.`);
    const state = subscriptionOf(user.email, address);
    expect(state.suppressed).toBe(true);
    expect(state.unsubscribedAt).not.toBeNull();
    expect(state.unsubscribedFromMessageId).toBeTruthy();

    const second = await oneClick(url, "urlencoded");
    expect(second.status).toBe(200);
    expect(subscriptionOf(user.email, address)).toEqual(state);
  });

  await test.step("a tampered link answers 400 and changes nothing", async () => {
    const tampered = url.slice(0, -1) + (url.endsWith("A") ? "B" : "A");
    const response = await oneClick(tampered);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^This unsubscribe link is not valid\./);
  });

  await test.step("compose warns before sending to the address, and sends only once told to", async () => {
    await openCompose(page, user);
    await addTo(page, address);
    await page.getByLabel("Subject", { exact: true }).fill(`${subject} again`);
    const warning = page.getByRole("group").filter({ hasText: "unsubscribed from your emails on" });
    await expect(warning).toContainText(`${address} unsubscribed from your emails on`);
    await expect(warning).toContainText("Send anyway?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page.getByText("Tick “Send anyway” to send to it, or remove it.")).toBeVisible();
    await expect(page.getByRole("checkbox", { name: "Send anyway" })).toBeFocused();
    await expect(page.getByRole("timer")).toHaveCount(0);

    await page.getByRole("checkbox", { name: "Send anyway" }).check();
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page.getByRole("timer")).toBeVisible();
    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByText("Not sent. Your message is back in the editor.")).toBeVisible();
  });

  await test.step("the contact page shows the unsubscribe; resubscribing needs a note", async () => {
    await page.goto(`/contacts/${contactId}`);
    const section = page.getByRole("region", { name: "Email subscription" });
    await expect(section.getByText("Unsubscribed", { exact: true })).toBeVisible();
    await expect(section).toContainText(`from “${subject}”.`);

    await section.getByRole("button", { name: "Resubscribe" }).click();
    await expect(section.getByText("Note: say why they hear from you again")).toBeVisible();
    expect(subscriptionOf(user.email, address).suppressed).toBe(true);

    const note = "They asked to hear from us again by phone";
    await section.getByLabel("Note").fill(note);
    await section.getByRole("button", { name: "Resubscribe" }).click();
    await expect(section).toContainText(`: ${note}`);
    await expect(section).toContainText("Resubscribed on");
    await expect(section.getByRole("button", { name: "Resubscribe" })).toHaveCount(0);
    expect(subscriptionOf(user.email, address)).toMatchObject({
      suppressed: false,
      unsubscribedAt: null,
      resubscribeNote: note,
    });
  });

  await test.step("the link's own button unsubscribes from the page, under the page's CSP", async () => {
    await page.goto(url);
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await expect(page.getByText(`You are unsubscribed from ${user.name}'s emails.`)).toBeVisible();
    expect(subscriptionOf(user.email, address).suppressed).toBe(true);
  });
});
