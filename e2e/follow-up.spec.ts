import type { Page } from "@playwright/test";
import type { MessageView } from "@/google-emulator/control/api";
import { googleEmulator } from "./fixtures";
import { expect, test } from "./signed-in";

// Follow up in the thread (issue 20, item 1): a sent email's Follow up opens compose with its
// recipients and "Re:" subject, and the local Google, which threads as Gmail does, puts the follow-up
// in the first email's thread. A queued message leaves about 10 s after Send (the undo window).

async function sentAs(email: string, subject: string): Promise<MessageView[]> {
  const { messages } = await googleEmulator.call<{ messages: MessageView[] }>("/messages");
  return messages.filter((message) => message.user === email && message.subject === subject);
}

const field = (page: Page, label: "To" | "Cc" | "Subject" | "Body") => page.getByLabel(label, { exact: true });
const chip = (page: Page, address: string) => page.getByRole("button", { name: `Remove ${address}`, exact: true });

test("Follow up on a sent email writes to the same people, with Re:, into the same Gmail thread; a draft under way is set aside and comes back", async ({
  page,
  signedInUser: user,
}) => {
  const subject = `Pilot pricing ${Date.now()}`;
  await page.goto("/compose");
  await field(page, "To").fill("grace@x.test");
  await field(page, "To").press("Enter");
  await page.getByRole("button", { name: "Cc", exact: true }).click();
  await field(page, "Cc").fill("team@x.test");
  await field(page, "Cc").press("Enter");
  await field(page, "Subject").fill(subject);
  await field(page, "Body").fill("Hi Grace, here is the pilot pricing.");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect.poll(async () => (await sentAs(user.email, subject)).length, { timeout: 25_000 }).toBe(1);
  const [first] = await sentAs(user.email, subject);

  // Something else is being written when the user decides to follow up.
  await page.getByRole("button", { name: "Write another message" }).click();
  await field(page, "Subject").fill("Unfinished thoughts");
  await page.goto("/outbox");
  const sent = page.getByRole("list", { name: "Messages" }).getByRole("listitem", { name: subject });
  await expect(sent).toContainText("Sent");
  await sent.getByRole("link", { name: `Follow up: ${subject}` }).click();

  await expect(page.getByRole("heading", { name: "Follow up" })).toBeVisible();
  const header = page.getByRole("region", { name: "Follow-up" });
  await expect(header).toContainText(`Follow-up to “${subject}”`);
  await expect(header).toContainText("It goes into the same Gmail thread.");
  await expect(chip(page, "grace@x.test")).toBeVisible();
  await expect(chip(page, "team@x.test")).toBeVisible();
  await expect(field(page, "Subject")).toHaveValue(`Re: ${subject}`);
  await expect(
    page.getByRole("status").filter({ hasText: "Your earlier draft “Unfinished thoughts” is set aside." }),
  ).toBeVisible();

  // Changing the subject would leave the thread, and the form says so before anything is sent.
  await field(page, "Subject").fill("A different topic");
  await expect(header).toContainText("With this subject Gmail starts a new thread");
  await field(page, "Subject").fill(`Re: ${subject}`);
  await expect(header).toContainText("It goes into the same Gmail thread.");

  await field(page, "Body").fill("Hi Grace, any thoughts on the pricing?");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByText("Your earlier draft is back in the editor.")).toBeVisible();
  await page.getByRole("button", { name: "Write another message" }).click();
  await expect(field(page, "Subject")).toHaveValue("Unfinished thoughts");
  await expect(page.getByRole("region", { name: "Follow-up" })).toHaveCount(0);
  await expect.poll(async () => (await sentAs(user.email, `Re: ${subject}`)).length, { timeout: 25_000 }).toBe(1);

  const [followUp] = await sentAs(user.email, `Re: ${subject}`);
  expect(followUp!.threadId).toBe(first!.threadId);
  expect(followUp!.headers["in-reply-to"]).toBe(first!.messageId);
  expect(followUp!.headers.references).toBe(first!.messageId);
  expect(followUp!.envelope.to.sort()).toEqual(["grace@x.test", "team@x.test"]);
});

test("Follow up on an email that is not the user's own sent email opens a plain new message and says why", async ({
  page,
  signedInUser: _user,
}) => {
  await page.goto("/compose?followUp=not-a-message-of-yours");
  await expect(page.getByRole("alert").filter({ hasText: "That email cannot be followed up on" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "New message" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Follow-up" })).toHaveCount(0);
});
