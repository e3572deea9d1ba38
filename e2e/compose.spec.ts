import Database from "better-sqlite3";
import { simpleParser } from "mailparser";
import type { Locator, Page } from "@playwright/test";
import type { MessageView } from "@/google-emulator/control/api";
import { E2E } from "./e2e-config";
import { approveOnGoogle, googleEmulator } from "./fixtures";
import { expect, test, type SignedInUser } from "./signed-in";

// Compose (issue 10): chips, attachments, Send with Undo, Schedule, the autosaved draft, errors at the
// field. A queued message goes to the local Google about 10 s after Send (the undo window).

test.use({ timezoneId: "Asia/Tokyo" });

/** What the local Google sent for this user with this subject. */
async function sentAs(email: string, subject: string): Promise<MessageView[]> {
  const { messages } = await googleEmulator.call<{ messages: MessageView[] }>("/messages");
  return messages.filter((message) => message.user === email && message.subject === subject);
}

/** The app's own rows for this user and subject, read from its database. */
function storedMessages(email: string, subject: string) {
  const db = new Database(E2E.databaseFile, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT m.status, m.sendAt FROM "Message" m JOIN "User" u ON u.id = m.userId WHERE u.email = ? AND m.subject = ?`,
      )
      .all(email, subject) as Array<{ status: string; sendAt: string | number | null }>;
  } finally {
    db.close();
  }
}

const field = (page: Page, label: "To" | "Cc" | "Bcc" | "Subject" | "Body") => page.getByLabel(label, { exact: true });
const chip = (page: Page, address: string) => page.getByRole("button", { name: `Remove ${address}`, exact: true });
const sendButton = (page: Page) => page.getByRole("button", { name: "Send", exact: true });

/** Pastes text the way a browser does (a paste event carrying the clipboard's text). */
async function paste(input: Locator, text: string) {
  await input.evaluate((element, pasted) => {
    const data = new DataTransfer();
    data.setData("text/plain", pasted);
    element.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Opens compose as this user, sending from their own Gmail address. */
async function openCompose(page: Page, user: SignedInUser) {
  await page.goto("/compose");
  await expect(page.getByText(`Sending from ${user.email} via Gmail`)).toBeVisible();
}

async function addRecipient(page: Page, label: "To" | "Cc" | "Bcc", address: string) {
  await field(page, label).fill(address);
  await field(page, label).press("Enter");
  await expect(chip(page, address)).toBeVisible();
}

test("a message with chips, a UTF-8 subject and an attachment reaches Gmail once, after the undo window", async ({
  page,
  signedInUser: user,
}) => {
  const subject = `Grüße ✓ 日本語 ${Date.now()}`;
  const body = "Hi Grace,\nthe quote is attached.\n— Ada";
  await openCompose(page, user);

  await addRecipient(page, "To", "grace@x.test");
  await page.getByRole("button", { name: "Cc", exact: true }).click();
  await expect(field(page, "Cc")).toBeFocused();
  await paste(field(page, "Cc"), "a@x.test, b@x.test");
  await expect(chip(page, "a@x.test")).toBeVisible();
  await expect(chip(page, "b@x.test")).toBeVisible();
  await field(page, "Subject").fill(subject);
  await field(page, "Body").fill(body);
  await page.getByLabel("Attach files").setInputFiles({
    name: "quote.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4 the quote"),
  });
  await expect(page.getByRole("list", { name: "Attachments" })).toContainText("quote.pdf");
  await expect(page.getByText("1 file, 18 B of 25 MB")).toBeVisible();

  await sendButton(page).click();
  await expect(page.getByRole("timer")).toBeVisible();
  await expect(page.getByRole("button", { name: "Undo" })).toBeFocused();

  await expect.poll(async () => (await sentAs(user.email, subject)).length, { timeout: 25_000 }).toBe(1);
  await expect(page.getByText("Gmail accepted it.")).toBeVisible();
  const [message] = await sentAs(user.email, subject);
  expect(message!.envelope.to.sort()).toEqual(["a@x.test", "b@x.test", "grace@x.test"]);
  expect(message!.text.trim()).toBe(body);
  const parsed = await simpleParser(message!.raw);
  expect(parsed.subject).toBe(subject);
  expect(parsed.attachments.map((file) => [file.filename, file.contentType, file.content.toString()])).toEqual([
    ["quote.pdf", "application/pdf", "%PDF-1.4 the quote"],
  ]);

  // The draft went with it, and the addresses are now suggested.
  await page.reload();
  await expect(field(page, "Subject")).toHaveValue("");
  await expect(page.locator('datalist#recent-recipients option[value="grace@x.test"]')).toHaveCount(1);
});

test("recipients typed or pasted with a display name reach Gmail with it: To: Bob Smith <bob@x.test>", async ({
  page,
  signedInUser: user,
}) => {
  const subject = `Named recipients ${Date.now()}`;
  await openCompose(page, user);
  await paste(field(page, "To"), 'Bob Smith <bob@x.test>, "Lovelace, Ada" <ada@x.test>');
  await expect(chip(page, "Bob Smith <bob@x.test>")).toBeVisible();
  await expect(chip(page, '"Lovelace, Ada" <ada@x.test>')).toBeVisible();
  // Typed key by key: the comma inside the quoted name does not end the recipient, the one after it does.
  await page.getByRole("button", { name: "Cc", exact: true }).click();
  await field(page, "Cc").pressSequentially('"Hopper, Grace" <grace@x.test>, ');
  await expect(chip(page, '"Hopper, Grace" <grace@x.test>')).toBeVisible();
  await field(page, "Subject").fill(subject);
  await sendButton(page).click();

  await expect.poll(async () => (await sentAs(user.email, subject)).length, { timeout: 25_000 }).toBe(1);
  const [message] = await sentAs(user.email, subject);
  expect(message!.envelope.to.sort()).toEqual(["ada@x.test", "bob@x.test", "grace@x.test"]);
  const parsed = await simpleParser(message!.raw);
  const mailboxes = (field: typeof parsed.to) => [field ?? []].flat().flatMap((list) => list.value);
  expect(mailboxes(parsed.to).map(({ name, address }) => [name, address])).toEqual([
    ["Bob Smith", "bob@x.test"],
    ["Lovelace, Ada", "ada@x.test"],
  ]);
  expect(mailboxes(parsed.cc).map(({ name, address }) => [name, address])).toEqual([["Hopper, Grace", "grace@x.test"]]);
});

test("a double click on Send, and the request arriving twice, send one message", async ({
  page,
  signedInUser: user,
}) => {
  const subject = `Double click ${Date.now()}`;
  await openCompose(page, user);
  await addRecipient(page, "To", "grace@x.test");
  await field(page, "Subject").fill(subject);
  // The network delivers the send twice (a retry after a lost answer); the browser sees the second answer.
  let deliveries = 0;
  await page.route(
    "**/compose",
    async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      await route.fetch();
      const replayed = await route.fetch();
      deliveries = 2;
      await route.fulfill({ response: replayed });
    },
    { times: 1 },
  );
  await sendButton(page).dblclick();

  await expect(page.getByRole("timer")).toBeVisible();
  expect(deliveries).toBe(2);
  expect(storedMessages(user.email, subject)).toHaveLength(1);
  await expect.poll(async () => (await sentAs(user.email, subject)).length, { timeout: 25_000 }).toBe(1);
  await expect(page.getByText("Gmail accepted it.")).toBeVisible();
  expect(await sentAs(user.email, subject)).toHaveLength(1);
  expect(storedMessages(user.email, subject).map((row) => row.status)).toEqual(["SENT"]);
});

test("Undo within the window: never sent, and the message is back in the editor to send again", async ({
  page,
  signedInUser: user,
}) => {
  const subject = `Take it back ${Date.now()}`;
  await openCompose(page, user);
  await addRecipient(page, "To", "grace@x.test");
  await field(page, "Subject").fill(subject);
  await field(page, "Body").fill("First thoughts");
  await sendButton(page).click();
  const statuses = page.getByRole("status");
  await expect(statuses.filter({ hasText: "Sending in 10 seconds" })).toHaveCount(1);
  await page.getByRole("button", { name: "Undo" }).click();

  await expect(page.getByText("Not sent. Your message is back in the editor.")).toBeVisible();
  // Nothing, not even text for screen readers only, still says it is being sent.
  await expect(statuses.filter({ hasText: "Sending in" })).toHaveCount(0);
  await expect(chip(page, "grace@x.test")).toBeVisible();
  await expect(field(page, "Subject")).toHaveValue(subject);
  await expect(field(page, "Body")).toHaveValue("First thoughts");
  expect(storedMessages(user.email, subject).map((row) => row.status)).toEqual(["CANCELLED"]);

  // Edited and sent again: a new message. Once it has gone, the undone one, due earlier, would have too.
  const second = `${subject}, rewritten`;
  await field(page, "Subject").fill(second);
  await sendButton(page).click();
  await expect.poll(async () => (await sentAs(user.email, second)).length, { timeout: 25_000 }).toBe(1);
  expect(await sentAs(user.email, subject)).toHaveLength(0);
  expect(storedMessages(user.email, subject).map((row) => row.status)).toEqual(["CANCELLED"]);
});

test("a reload mid-compose keeps the draft, typed recipient included", async ({ page, signedInUser: user }) => {
  await openCompose(page, user);
  await addRecipient(page, "To", "grace@x.test");
  await field(page, "Subject").fill("Proposal");
  await field(page, "Body").fill("Line one\nLine two");
  // Still being typed when the tab goes: not yet a chip.
  await page.getByRole("button", { name: "Bcc", exact: true }).click();
  await field(page, "Bcc").fill("boss@x.test");
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();

  await page.reload();
  await expect(chip(page, "grace@x.test")).toBeVisible();
  await expect(field(page, "Bcc")).toHaveValue("boss@x.test");
  await expect(field(page, "Subject")).toHaveValue("Proposal");
  await expect(field(page, "Body")).toHaveValue("Line one\nLine two");

  // Leaving by the app's own navigation the moment after typing keeps the last keystrokes too.
  await field(page, "Body").press("Control+End");
  await field(page, "Body").pressSequentially(" w0");
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Outbox" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Outbox" })).toBeVisible();
  await nav.getByRole("link", { name: "Compose" }).click();
  await expect(field(page, "Body")).toHaveValue("Line one\nLine two w0");
});

test("errors are named at their field, and the form keeps what was typed", async ({ page, signedInUser: user }) => {
  await openCompose(page, user);
  const to = field(page, "To");

  await sendButton(page).click();
  await expect(to).toBeFocused();
  await expect(to).toHaveAttribute("aria-invalid", "true");
  await expect(to).toHaveAccessibleDescription(/To: add at least one recipient\./);

  await to.fill("grace@");
  await to.press("Enter");
  await expect(chip(page, "grace@")).toBeVisible();
  await expect(page.getByText("This is not a valid recipient: grace@.")).toBeVisible();
  await sendButton(page).click();
  await expect(to).toHaveAccessibleDescription(
    /To: “grace@” is not a valid email address; write it like name@example\.com\./,
  );

  // Fixed from the keyboard: to the chip, remove it, back in the box.
  await to.focus();
  await to.press("ArrowLeft");
  await expect(chip(page, "grace@")).toBeFocused();
  await page.keyboard.press("Backspace");
  await expect(chip(page, "grace@")).toHaveCount(0);
  await expect(to).toBeFocused();
  await addRecipient(page, "To", "grace@x.test");

  // A rule only the server applies, answered at its field, with everything else kept.
  const subject = field(page, "Subject");
  await subject.fill("=?UTF-8?B?SGk=?=");
  await field(page, "Body").fill("Kept");
  await sendButton(page).click();
  await expect(subject).toHaveAccessibleDescription(/encoded words/);
  await expect(subject).toHaveAttribute("aria-invalid", "true");
  await expect(subject).toBeFocused();
  await expect(subject).toHaveValue("=?UTF-8?B?SGk=?=");
  await expect(field(page, "Body")).toHaveValue("Kept");
  await expect(chip(page, "grace@x.test")).toBeVisible();
});

test("attachments over Gmail's 25 MB are refused before any upload", async ({ page, signedInUser: user }) => {
  await openCompose(page, user);
  const actionPosts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") actionPosts.push(request.url());
  });
  await page.getByLabel("Attach files").setInputFiles({
    name: "video.mp4",
    mimeType: "video/mp4",
    buffer: Buffer.alloc(26 * 1024 * 1024),
  });
  await expect(page.getByLabel("Attach files")).toHaveAccessibleDescription(
    /“video\.mp4” \(26 MB\) not attached: attachments can add up to 25 MB per message/,
  );
  await expect(page.getByRole("list", { name: "Attachments" })).toHaveCount(0);
  expect(actionPosts).toEqual([]);
});

test("keyboard only: chips with Enter and comma, Ctrl+Enter sends, Enter on Undo takes it back", async ({
  page,
  signedInUser: user,
}) => {
  await openCompose(page, user);
  await field(page, "To").focus();
  await page.keyboard.type("grace@x.test");
  await page.keyboard.press("Enter");
  await page.keyboard.type("ada@x.test,");
  await expect(chip(page, "ada@x.test")).toBeVisible();
  // Arrow keys walk the chips; Delete removes one and the focus stays in the row.
  await page.keyboard.press("ArrowLeft");
  await expect(chip(page, "ada@x.test")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(chip(page, "grace@x.test")).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Delete");
  await expect(chip(page, "ada@x.test")).toHaveCount(0);
  await expect(field(page, "To")).toBeFocused();
  await page.keyboard.type("ada@x.test");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Tab");
  await expect(chip(page, "ada@x.tes")).toBeVisible();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Backspace");
  await expect(chip(page, "ada@x.tes")).toHaveCount(0);

  await field(page, "Subject").focus();
  await page.keyboard.type("Keyboard");
  await page.keyboard.press("Tab");
  await expect(field(page, "Body")).toBeFocused();
  await page.keyboard.type("Sent without a mouse.");
  await page.keyboard.press("Control+Enter");

  await expect(page.getByRole("timer")).toBeVisible();
  await expect(page.getByRole("button", { name: "Undo" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByText("Not sent. Your message is back in the editor.")).toBeVisible();
  await expect(field(page, "Body")).toBeFocused();
  await expect(field(page, "Body")).toHaveValue("Sent without a mouse.");
});

test("Schedule: a time in the user's own zone becomes that instant, and the bounds are named at the field", async ({
  page,
  signedInUser: user,
}) => {
  const subject = `Scheduled ${Date.now()}`;
  await openCompose(page, user);
  await addRecipient(page, "To", "grace@x.test");
  await field(page, "Subject").fill(subject);
  await page.getByRole("button", { name: "Send later" }).click();
  const date = page.getByLabel("Date", { exact: true });
  const time = page.getByLabel("Time", { exact: true });
  await expect(date).toBeFocused();
  await expect(time).toHaveValue("09:00");
  await expect(page.getByText("(Asia/Tokyo time)")).toBeVisible();

  await time.fill("00:00");
  const tomorrow = await date.inputValue();
  await date.fill("2020-01-01");
  // Said at once, before Schedule is pressed, and at the field once it is.
  await expect(page.getByText("Schedule: pick a time from 1 minute to 30 days ahead.")).toBeVisible();
  await page.getByRole("button", { name: "Schedule", exact: true }).click();
  await expect(date).toHaveAccessibleDescription(/Schedule: pick a time from 1 minute to 30 days ahead\./);

  await date.fill(tomorrow);
  await time.fill("09:30");
  await page.getByRole("button", { name: "Schedule", exact: true }).click();
  await expect(page.getByText(/^Scheduled for/)).toBeVisible();
  const [row] = storedMessages(user.email, subject);
  expect(row?.status).toBe("SCHEDULED");
  // 09:30 in Tokyo (UTC+9, no daylight saving) is 00:30 UTC.
  expect(new Date(row!.sendAt!).toISOString()).toBe(`${tomorrow}T00:30:00.000Z`);

  await page.getByRole("button", { name: "Cancel scheduled send" }).click();
  await expect(page.getByText("Scheduled send cancelled. Your message is back in the editor.")).toBeVisible();
  expect(storedMessages(user.email, subject).map((stored) => stored.status)).toEqual(["CANCELLED"]);
});

test("when Gmail needs reconnecting, compose says so, and Reconnect comes back to the draft", async ({
  page,
  signedInUser: user,
}) => {
  const db = new Database(E2E.databaseFile, { fileMustExist: true });
  try {
    db.prepare(
      `UPDATE "Account" SET status = 'NEEDS_RECONNECT', statusReason = 'REVOKED' WHERE userId = (SELECT id FROM "User" WHERE email = ?)`,
    ).run(user.email);
  } finally {
    db.close();
  }

  await page.goto("/compose");
  const warning = page.getByRole("region", { name: "Sending from Gmail" });
  await expect(warning).toContainText("Gmail: Reconnect needed.");
  await addRecipient(page, "To", "grace@x.test");
  await field(page, "Subject").fill("Written while disconnected");
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();

  await warning.getByRole("button", { name: "Reconnect Gmail, keep this draft" }).click();
  await approveOnGoogle(page, user.email);
  await expect(page).toHaveURL(/\/compose\?notice=reconnected$/);
  await expect(page.getByText(`Gmail reconnected. Evergreen can send email from ${user.email} again.`)).toBeVisible();
  await expect(page.getByText(`Sending from ${user.email} via Gmail`)).toBeVisible();
  await expect(chip(page, "grace@x.test")).toBeVisible();
  await expect(field(page, "Subject")).toHaveValue("Written while disconnected");
});

test("a contact's Email action starts a message to them; with a draft under way it asks, and loses neither", async ({
  page,
  signedInUser,
}) => {
  void signedInUser;
  await page.goto("/compose?to=Grace%40Evergreen.test");
  await expect(chip(page, "grace@evergreen.test")).toBeVisible();
  // Anything but one valid address is ignored.
  await page.goto("/compose?to=%22%3E%3Cscript%3E");
  await expect(page.getByRole("button", { name: /^Remove "/ })).toHaveCount(0);
  await expect(chip(page, "grace@evergreen.test")).toBeVisible();

  // A half-written draft: the next contact is not quietly added to it.
  await field(page, "Subject").fill("Half-written to Grace");
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();
  await page.goto("/compose?to=bob%40acme.test");
  const question = page.getByRole("group", { name: /You have an unsent draft, “Half-written to Grace” to grace@/ });
  await expect(question).toBeVisible();
  await expect(chip(page, "bob@acme.test")).toHaveCount(0);
  await expect(question.getByRole("button", { name: "New email to bob@acme.test" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(chip(page, "bob@acme.test")).toBeVisible();
  await expect(chip(page, "grace@evergreen.test")).toHaveCount(0);
  await expect(field(page, "Subject")).toBeFocused();
  const setAside = page.getByRole("status").filter({ hasText: "Your earlier draft “Half-written to Grace”" });
  await expect(setAside).toContainText("is set aside");

  // Still restorable while the new one is written, and back in the editor once the new one is sent.
  await field(page, "Subject").fill("For Bob");
  await expect(setAside.getByRole("button", { name: "Restore it" })).toBeVisible();
  await sendButton(page).click();
  await page.getByRole("button", { name: "Write another message" }).click();
  await expect(field(page, "Subject")).toHaveValue("Half-written to Grace");
  await expect(chip(page, "grace@evergreen.test")).toBeVisible();
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();

  // Or the contact joins the draft, when that is what the user chooses.
  await page.goto("/compose?to=alice%40acme.test");
  await page.getByRole("button", { name: "Add to this draft" }).click();
  await expect(chip(page, "alice@acme.test")).toBeVisible();
  await expect(chip(page, "grace@evergreen.test")).toBeVisible();
  await expect(field(page, "Subject")).toHaveValue("Half-written to Grace");
});

test("two tabs opening one saved draft each send their own message, and neither is reported for the other", async ({
  page,
  context,
  signedInUser: user,
}) => {
  await openCompose(page, user);
  await field(page, "Subject").fill("Shared start");
  await expect(page.getByText("Draft saved on this device.")).toBeVisible();
  const second = await context.newPage();
  await openCompose(second, user);
  await expect(field(second, "Subject")).toHaveValue("Shared start");

  const stamp = Date.now();
  const tabs = [
    { tab: page, to: "p9@x.test", subject: `Tab one ${stamp}` },
    { tab: second, to: "p10@x.test", subject: `Tab two ${stamp}` },
  ];
  for (const { tab, to, subject } of tabs) {
    await addRecipient(tab, "To", to);
    await field(tab, "Subject").fill(subject);
  }
  for (const { tab } of tabs) {
    await sendButton(tab).click();
    await expect(tab.getByRole("button", { name: "Undo" })).toBeVisible();
  }
  await expect
    .poll(async () => Promise.all(tabs.map(async ({ subject }) => (await sentAs(user.email, subject)).length)), {
      timeout: 30_000,
    })
    .toEqual([1, 1]);
  for (const { to, subject } of tabs) expect((await sentAs(user.email, subject))[0]!.envelope.to).toEqual([to]);
});
