import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { E2E } from "./e2e-config";
import { googleEmulator } from "./fixtures";
import { seedMessages } from "./seed-messages";
import { expect, test } from "./signed-in";

// The outbox page: every message with its state, reason and the decisions it allows, live.

function statusOf(id: string): string {
  const db = new Database(E2E.databaseFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT status FROM "Message" WHERE id = ?`).get(id) as { status: string }).status;
  } finally {
    db.close();
  }
}

test("an empty outbox teaches the next step", async ({ page, signedInUser }) => {
  void signedInUser;
  await page.goto("/outbox");
  await expect(page.getByRole("heading", { name: "Outbox" })).toBeVisible();
  await expect(page.getByText("Nothing sent yet.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Write an email" })).toHaveAttribute("href", "/compose");
});

test("each message shows its state and reason, and offers exactly the decisions it allows", async ({
  page,
  signedInUser,
}) => {
  const ids = seedMessages(signedInUser.email, [
    { subject: "Later", status: "SCHEDULED" },
    { subject: "Refused", status: "FAILED", lastError: "Gmail refused this message: Invalid To header." },
    {
      subject: "Maybe",
      status: "UNKNOWN",
      lastError: "Gmail did not answer after the message left.",
      sendStartedAt: true,
    },
    {
      subject: "Parked",
      status: "WAITING_FOR_RECONNECT",
      lastError: "Gmail needs reconnecting.",
    },
  ]);
  await page.goto("/outbox");
  const item = (subject: string) =>
    page.getByRole("list", { name: "Messages" }).getByRole("listitem", { name: subject });

  await expect(item("Refused")).toContainText("Failed");
  await expect(item("Refused")).toContainText("Invalid To header");
  await expect(item("Maybe")).toContainText(
    "Gmail did not answer after the message left. It may or may not have been sent: check your Gmail Sent folder",
  );
  await expect(item("Parked")).toContainText("Waiting for reconnect");
  await expect(item("Later").getByRole("button", { name: "Cancel" })).toBeVisible();

  await item("Later").getByRole("button", { name: "Cancel" }).click();
  await expect(item("Later")).toHaveCount(0);
  expect(statusOf(ids.Later!)).toBe("CANCELLED");

  await item("Maybe").getByRole("button", { name: "Dismiss" }).click();
  await expect(item("Maybe")).toHaveCount(0);
  expect(statusOf(ids.Maybe!)).toBe("CANCELLED");

  // Retry puts it back in the queue; the in-server worker then sends it through the local Google.
  await item("Refused").getByRole("button", { name: "Retry" }).click();
  await expect(item("Refused")).toContainText("Sent", { timeout: 15_000 });
  const sent = await googleEmulator.call<{ messages: Array<{ user: string; subject: string }> }>("/messages");
  const ours = sent.messages.filter((message) => message.user === signedInUser.email);
  expect(ours.filter((message) => message.subject === "Refused")).toHaveLength(1);
});

test("filters by status, and statuses change on screen without a reload", async ({ page, signedInUser }) => {
  const ids = seedMessages(signedInUser.email, [
    { subject: "Stuck", status: "FAILED", lastError: "Gmail stayed unavailable after 8 attempts." },
    { subject: "Fine", status: "SENT" },
  ]);
  await page.goto("/outbox?status=failed");
  await expect(page.getByRole("link", { name: /Failed/ })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("listitem", { name: "Stuck" })).toBeVisible();
  await expect(page.getByRole("listitem", { name: "Fine" })).toHaveCount(0);

  await page.goto("/outbox");
  const db = new Database(E2E.databaseFile, { fileMustExist: true });
  db.prepare(`UPDATE "Message" SET status = 'UNKNOWN', lastError = NULL, updatedAt = ? WHERE id = ?`).run(
    new Date().toISOString(),
    ids.Stuck,
  );
  db.close();
  await expect(page.getByRole("listitem", { name: "Stuck" })).toContainText("Unknown");
});

test("the dashboard summarises the outbox, each count opening the filtered outbox", async ({ page, signedInUser }) => {
  await page.goto("/dashboard");
  await expect(page.getByText("Nothing sent yet.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Write your first email" })).toHaveAttribute("href", "/compose");

  seedMessages(signedInUser.email, [
    { subject: "Refused", status: "FAILED", lastError: "Gmail refused this message: Invalid To header." },
    { subject: "Fine", status: "SENT" },
  ]);
  await page.reload();
  await expect(page.getByRole("list", { name: "Recently sent" })).toContainText("Fine");
  await expect(page.getByRole("link", { name: "Add one" })).toHaveAttribute("href", "/contacts/new");
  const summary = page.getByRole("list", { name: "Outbox summary" });
  await expect(summary.getByRole("link", { name: "1 Failed" })).toBeVisible();
  await summary.getByRole("link", { name: "1 Failed" }).click();
  await expect(page).toHaveURL(/\/outbox\?status=failed$/);
  await expect(page.getByRole("listitem", { name: "Refused" })).toBeVisible();
});
