import type { Page } from "@playwright/test";
import { createRiscStream, registerReceiver, RISC_RECEIVER_PATH } from "@/lib/google/risc-stream";
import { DEV_RISC_SERVICE_ACCOUNT } from "@/lib/google/dev-service-account";
import { googleEndpoints } from "@/lib/google/oauth";
import { withAppDatabase } from "./app-database";
import { E2E } from "./e2e-config";
import { approveOnGoogle, googleEmulator, storedAccount } from "./fixtures";
import { seedMessages } from "./seed-messages";
import { expect, signInHeadless, test } from "./signed-in";

// Google's security events (issue 21) against the production build: the local Google pushes signed
// events to /api/google/risc as Google does, and the pages show what they mean. The stream is
// registered with the app's own client for this file only and disabled after it, so the other specs
// meet a Google that sends nothing, as they were written for.

const stream = createRiscStream({ api: googleEndpoints(E2E.emulatorUrl).riscApi, key: DEV_RISC_SERVICE_ACCOUNT });
const receiver = `${E2E.appUrl}${RISC_RECEIVER_PATH}`;
const google = googleEmulator.control;

test.beforeAll(async () => {
  await registerReceiver(stream, receiver);
});
test.afterAll(async () => {
  await stream.updateStatus("disabled");
  await google.riscClearFaults();
});

const connectionCard = (page: Page) => page.getByRole("region", { name: "Gmail connection" });
const outboxItem = (page: Page, subject: string) =>
  page.getByRole("list", { name: "Messages" }).getByRole("listitem", { name: subject });
const tokenCalls = async () => (await google.calls()).token ?? 0;

test("removing Evergreen at Google shows Reconnect needed within 2 s, holds scheduled email without asking Google, and a reconnect heals it", async ({
  page,
  signedInUser: user,
}) => {
  const ids = seedMessages(user.email, [{ subject: "Tomorrow's follow-up", status: "SCHEDULED" }]);
  withAppDatabase((db) =>
    db.prepare(`UPDATE "Message" SET sendAt = nextAttemptAt WHERE id = ?`).run(ids["Tomorrow's follow-up"]),
  );
  await page.goto("/settings");
  await expect(connectionCard(page)).toContainText("Connected");
  const callsBefore = await tokenCalls();

  const removedAt = Date.now();
  await google.revokeAccess(user.email);
  await expect
    .poll(() => storedAccount(user.email).statusReason, { timeout: 2_000, intervals: [25] })
    .toBe("REMOVED_AT_GOOGLE");
  expect(Date.now() - removedAt).toBeLessThan(2_000);

  await page.reload();
  await expect(connectionCard(page)).toContainText("Reconnect needed");
  await expect(connectionCard(page)).toContainText("Access removed at Google");
  await expect(page.getByRole("list", { name: "Connection events" })).toContainText("Security event from Google");
  await page.goto("/outbox");
  await expect(outboxItem(page, "Tomorrow's follow-up")).toContainText("Waiting for reconnect");
  expect(await tokenCalls()).toBe(callsBefore);
  expect(storedAccount(user.email)).toMatchObject({ refreshToken: null, accessToken: null });

  await page.goto("/settings");
  await connectionCard(page).getByRole("button", { name: "Reconnect Gmail" }).click();
  await approveOnGoogle(page, user.email);
  await expect(connectionCard(page)).toContainText("Connected");
  await page.goto("/outbox");
  await expect(outboxItem(page, "Tomorrow's follow-up")).toContainText("Scheduled");
});

test("Google signing the user out everywhere signs them out of Evergreen on the next page", async ({
  page,
  signedInUser: user,
}) => {
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: /^Welcome/ })).toBeVisible();
  await google.riscTrigger({ email: user.email, type: "sessions-revoked" });
  await google.riscFlush();

  await page.goto("/contacts");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("a Google account disabled as hijacked: signed out and held, told why on the next sign-in, resumed when Google enables it", async ({
  page,
  signedInUser: user,
}) => {
  await page.goto("/dashboard");
  await google.disableAccount(user.email, "hijacking");
  await google.riscFlush();
  expect(storedAccount(user.email)).toMatchObject({ status: "NEEDS_RECONNECT", statusReason: "ACCOUNT_DISABLED" });
  await page.goto("/contacts");
  await expect(page).toHaveURL(/\/sign-in/);

  await google.enableAccount(user.email);
  await google.riscFlush();
  expect(storedAccount(user.email)).toMatchObject({ status: "CONNECTED" });

  await signInHeadless(page.context(), user.email);
  await page.goto("/dashboard");
  await expect(page.getByRole("alert").filter({ hasText: "may have been taken over" })).toBeVisible();
  await page.goto("/settings");
  await expect(page.getByRole("list", { name: "Connection events" })).toContainText("(hijacking)");
  // Told once.
  await expect(page.getByRole("alert").filter({ hasText: "may have been taken over" })).toHaveCount(0);
});

test("forged and garbage security events get 400 with RFC 8935's error and change nothing; a duplicate acts once", async ({
  signedInUser: user,
}) => {
  const post = (body: string) =>
    fetch(receiver, { method: "POST", headers: { "Content-Type": "application/secevent+jwt" }, body });
  for (const body of ["", "not a jwt", "a".repeat(1024 * 1024), "eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0."]) {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ err: expect.stringMatching(/^invalid_/) });
  }

  for (const kind of ["bad-signature", "unknown-kid", "wrong-aud", "wrong-iss"] as const) {
    await google.riscFault({ kind });
    await google.riscTrigger({ email: user.email, type: "sessions-revoked" });
  }
  await google.riscFlush();
  const forged = (await google.riscDeliveries()).filter((row) => row.userEmail === user.email);
  expect(forged.map((row) => [row.fault, row.status])).toEqual([
    ["bad-signature", 400],
    ["unknown-kid", 400],
    ["wrong-aud", 400],
    ["wrong-iss", 400],
  ]);
  expect(storedAccount(user.email).status).toBe("CONNECTED");
  const sessions = () =>
    withAppDatabase(
      (db) =>
        (
          db
            .prepare(`SELECT COUNT(*) AS n FROM "Session" WHERE userId = (SELECT id FROM "User" WHERE email = ?)`)
            .get(user.email) as { n: number }
        ).n,
    );
  expect(sessions()).toBe(1);

  await google.riscFault({ kind: "duplicate" });
  await google.riscTrigger({ email: user.email, type: "account-credential-change-required" });
  await google.riscFlush();
  const duplicate = (await google.riscDeliveries()).filter(
    (row) => row.userEmail === user.email && row.fault === "duplicate",
  );
  expect(duplicate.map((row) => row.status)).toEqual([202, 202]);
  const notices = withAppDatabase(
    (db) =>
      (
        db
          .prepare(
            `SELECT COUNT(*) AS n FROM "ConnectionEvent" WHERE kind = 'GOOGLE_SECURITY_EVENT' AND userId = (SELECT id FROM "User" WHERE email = ?)`,
          )
          .get(user.email) as { n: number }
      ).n,
  );
  expect(notices).toBe(1);
});
