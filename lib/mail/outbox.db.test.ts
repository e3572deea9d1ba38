import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { contactSchema, createContact } from "../crm/contacts";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { composeSchema, type ComposeInput } from "./compose";
import { cancelMessage, enqueueMessage, MAX_WAITING_ATTACHMENT_BYTES, UNDO_WINDOW_MS } from "./messages";
import { claimDueMessages, recoverExpiredLeases, runOutboxOnce } from "./outbox";
import { checkScheduledConnections } from "./scheduled-check";
import { sendingPace } from "./pacing";
import { applyGoogleSignIn, linkGoogleAccount } from "../connection/sign-in";

// The outbox against the local Google: every message ends sent exactly once, or visibly not sent.

const google = setupEmulator();
const test = setupTestDatabase();
let userId: string;
let subject = 0;

/** The app, talking to this file's emulator, on a clock `offsetMs` ahead (past the undo window by default). */
function app(offsetMs = UNDO_WINDOW_MS + 1_000): AppDeps {
  return {
    ...test.deps,
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
    now: () => new Date(Date.now() + offsetMs),
  };
}

beforeEach(async () => {
  subject += 1;
  userId = (await test.db.user.create({ data: { email: `outbox${subject}@evergreen.test`, name: "Ada Lovelace" } })).id;
  const { tokens } = await connect(google.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `${DEV_USER.sub}-${subject}`,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId,
      type: "oidc",
      provider: "google",
    },
    app(0),
  );
});

function compose(overrides: Partial<ComposeInput> = {}) {
  return composeSchema.parse({
    to: ["grace@evergreen.test"],
    cc: [],
    bcc: [],
    subject: `Hello ${subject}`,
    body: "Hi Grace,\nlet's talk.",
    idempotencyKey: randomBytes(12).toString("hex"),
    ...overrides,
  });
}

const sentSubjects = async () => (await google.control.messages()).map((message) => message.subject);
const statusOf = async (id: string) => (await test.db.message.findUniqueOrThrow({ where: { id } })).status;

describe("a message from compose to Gmail", () => {
  it("is stored at once, waits out the undo window, then is sent once with Gmail's ids and every recipient", async () => {
    const queued = await enqueueMessage(
      userId,
      compose({ subject: "Grüße ✓", cc: ["cc@evergreen.test"], bcc: ["hidden@evergreen.test"] }),
      app(0),
    );
    expect(queued.status).toBe("QUEUED");

    expect(await runOutboxOnce(app(0))).toMatchObject({ sent: 0 });
    expect(await runOutboxOnce(app())).toMatchObject({ sent: 1 });

    const row = await test.db.message.findUniqueOrThrow({ where: { id: queued.id } });
    expect(row).toMatchObject({ status: "SENT", leaseId: null });
    expect(row.gmailMessageId).toMatch(/^[0-9a-f]{16}$/);
    const [delivered] = await google.control.messages();
    expect(delivered).toMatchObject({ subject: "Grüße ✓", messageId: row.rfc822MessageId });
    expect(delivered!.envelope.to.sort()).toEqual([
      "cc@evergreen.test",
      "grace@evergreen.test",
      "hidden@evergreen.test",
    ]);
  });

  it("finds the same row for a double click or a replayed request", async () => {
    const message = compose();
    const [first, second] = await Promise.all([
      enqueueMessage(userId, message, app(0)),
      enqueueMessage(userId, message, app(0)),
    ]);
    expect(second.id).toBe(first.id);
    await runOutboxOnce(app());
    expect(await sentSubjects()).toEqual([message.subject]);
  });

  it("is never sent when taken back within the undo window", async () => {
    const queued = await enqueueMessage(userId, compose(), app(0));
    expect(await cancelMessage(userId, queued.id, app(0))).toBe(true);
    await runOutboxOnce(app());
    expect(await statusOf(queued.id)).toBe("CANCELLED");
    expect(await sentSubjects()).toEqual([]);
  });

  it("is claimed by one worker only, however many run at once", async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, n) => enqueueMessage(userId, compose({ subject: `Batch ${n}` }), app(0))),
    );
    await Promise.all([runOutboxOnce(app(), 5), runOutboxOnce(app(), 5), runOutboxOnce(app(), 5)]);
    await runOutboxOnce(app());
    expect((await sentSubjects()).sort()).toEqual(Array.from({ length: 12 }, (_, n) => `Batch ${n}`).sort());
    for (const { id } of ids) expect(await statusOf(id)).toBe("SENT");
  });
});

describe("attachments' bytes", () => {
  const file = (name: string, bytes = 1024) => ({
    filename: name,
    contentType: "application/pdf",
    content: randomBytes(bytes),
  });
  const storedFiles = (messageId: string) =>
    test.db.attachment.findMany({ where: { messageId }, select: { filename: true, size: true, content: true } });

  it("leave the database once the message is sent or taken back; its outbox entry keeps names and sizes", async () => {
    const sent = await enqueueMessage(userId, compose({ attachments: [file("offer.pdf", 4096)] }), app(0));
    const undone = await enqueueMessage(userId, compose({ attachments: [file("draft.pdf")] }), app(0));
    expect(await cancelMessage(userId, undone.id, app(0))).toBe(true);
    await runOutboxOnce(app());

    expect(await statusOf(sent.id)).toBe("SENT");
    const [delivered] = await google.control.messages();
    expect(delivered!.raw).toMatch(/filename="?offer\.pdf/);
    expect(await storedFiles(sent.id)).toEqual([{ filename: "offer.pdf", size: 4096, content: new Uint8Array() }]);
    expect(await storedFiles(undone.id)).toEqual([{ filename: "draft.pdf", size: 1024, content: new Uint8Array() }]);
  });

  it("are kept while the message may still be sent: scheduled, failed or unknown", async () => {
    const later = await enqueueMessage(
      userId,
      compose({ attachments: [file("later.pdf")], sendAt: new Date(Date.now() + 3_600_000) }),
      app(0),
    );
    await runOutboxOnce(app());
    expect(await statusOf(later.id)).toBe("SCHEDULED");
    expect((await storedFiles(later.id))[0]!.content).toHaveLength(1024);
    await cancelMessage(userId, later.id, app(0));
  });

  it(`are capped per user while waiting (${MAX_WAITING_ATTACHMENT_BYTES / 2 ** 20} MB), with a message naming the field and the way out`, async () => {
    // Waiting files of this size, recorded without their bytes: the cap counts recorded sizes.
    const waiting = await enqueueMessage(userId, compose({ attachments: [file("big.bin")] }), app(0));
    await test.db.attachment.updateMany({
      where: { messageId: waiting.id },
      data: { size: MAX_WAITING_ATTACHMENT_BYTES - 2048 },
    });
    const overflowing = compose({ attachments: [file("one-too-many.pdf", 4096)] });
    await expect(enqueueMessage(userId, overflowing, app(0))).rejects.toMatchObject({
      field: "attachments",
      message: expect.stringMatching(/^Attachments: your unsent email already holds 250 MB .* cancel scheduled email/),
    });
    // Files without much waiting, and email without files, still go; so does another user's.
    expect((await enqueueMessage(userId, compose(), app(0))).status).toBe("QUEUED");

    // Once the waiting files have gone out there is room again; the same form sent twice (a double
    // click) finds its own message even when its files are what fills the allowance.
    await runOutboxOnce(app());
    const fits = await enqueueMessage(userId, overflowing, app(0));
    expect(fits.duplicate).toBe(false);
    const filler = await enqueueMessage(userId, compose({ attachments: [file("filler.bin")] }), app(0));
    await test.db.attachment.updateMany({
      where: { messageId: filler.id },
      data: { size: MAX_WAITING_ATTACHMENT_BYTES },
    });
    expect(await enqueueMessage(userId, overflowing, app(0))).toMatchObject({ id: fits.id, duplicate: true });
    for (const { id } of [fits, filler]) expect(await cancelMessage(userId, id, app(0))).toBe(true);
  });
});

describe("when Gmail does not simply accept it", () => {
  async function sendWithFault(fault: Parameters<typeof google.control.addFault>[0]) {
    const queued = await enqueueMessage(userId, compose(), app(0));
    await google.control.addFault(fault);
    const outcome = await runOutboxOnce(app());
    return { id: queued.id, outcome, row: await test.db.message.findUniqueOrThrow({ where: { id: queued.id } }) };
  }

  it("retries a 503 later, with backoff, and sends it then", async () => {
    const { id, row } = await sendWithFault({ endpoint: "gmail.send", count: 1, status: 503 });
    expect(row).toMatchObject({ status: "QUEUED", attempts: 1 });
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + UNDO_WINDOW_MS);
    await runOutboxOnce(app(UNDO_WINDOW_MS + 60_000));
    expect(await statusOf(id)).toBe("SENT");
    expect(await sentSubjects()).toHaveLength(1);
  });

  it("fails a 400 with Google's reason in plain words", async () => {
    const { row } = await sendWithFault({
      endpoint: "gmail.send",
      count: 1,
      status: 400,
      body: {
        error: {
          code: 400,
          message: "Invalid To header",
          errors: [{ reason: "invalidArgument", message: "Invalid To header" }],
          status: "INVALID_ARGUMENT",
        },
      },
    });
    expect(row).toMatchObject({ status: "FAILED", lastError: "Gmail refused this message: Invalid To header." });
  });

  it("marks a request that left without an answer UNKNOWN and never retries it (it was in fact sent)", async () => {
    const { row } = await sendWithFault({ endpoint: "gmail.send", count: 1, mode: "drop-after" });
    expect(row.status).toBe("UNKNOWN");
    await runOutboxOnce(app(UNDO_WINDOW_MS + 60 * 60_000));
    expect(await sentSubjects()).toHaveLength(1);
  });

  it("waits for a reconnect when the user revoked access at Google", async () => {
    await google.control.revokeAccess(DEV_USER.email);
    await test.db.account.updateMany({ where: { userId }, data: { expires_at: 0 } });
    const queued = await enqueueMessage(userId, compose(), app(0));
    await runOutboxOnce(app());
    expect(await statusOf(queued.id)).toBe("WAITING_FOR_RECONNECT");
    expect((await test.db.account.findFirstOrThrow({ where: { userId } })).status).toBe("NEEDS_RECONNECT");
  });

  it("waits for a reconnect, and says the permission is missing, on a 403 scope refusal", async () => {
    const { row } = await sendWithFault({
      endpoint: "gmail.send",
      count: 1,
      status: 403,
      body: {
        error: {
          code: 403,
          message: "Request had insufficient authentication scopes.",
          errors: [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
          status: "PERMISSION_DENIED",
        },
      },
    });
    expect(row.status).toBe("WAITING_FOR_RECONNECT");
    expect((await test.db.account.findFirstOrThrow({ where: { userId } })).status).toBe("MISSING_SCOPE");
  });
});

describe("a worker that dies", () => {
  it("before the request left: its message goes back in the queue; after: it becomes UNKNOWN", async () => {
    const before = await enqueueMessage(userId, compose({ subject: "Not yet sent" }), app(0));
    const after = await enqueueMessage(userId, compose({ subject: "Maybe sent" }), app(0));
    await claimDueMessages(10, app());
    await test.db.message.update({ where: { id: after.id }, data: { sendStartedAt: new Date() } });

    await recoverExpiredLeases(app(UNDO_WINDOW_MS + 3 * 60_000));
    expect(await statusOf(before.id)).toBe("QUEUED");
    expect(await statusOf(after.id)).toBe("UNKNOWN");
  });
});

describe("after a reconnect", () => {
  it("sends what waited for it", async () => {
    await google.control.revokeAccess(DEV_USER.email);
    await test.db.account.updateMany({ where: { userId }, data: { expires_at: 0 } });
    const queued = await enqueueMessage(userId, compose({ subject: "Parked" }), app(0));
    await runOutboxOnce(app());
    expect(await statusOf(queued.id)).toBe("WAITING_FOR_RECONNECT");

    const { tokens } = await connect(google.url, { prompt: "consent" });
    const account = await test.db.account.findFirstOrThrow({ where: { userId } });
    await applyGoogleSignIn(
      {
        ...tokens,
        providerAccountId: account.providerAccountId,
        expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      },
      {},
      app(0),
    );
    await runOutboxOnce(app());
    expect(await statusOf(queued.id)).toBe("SENT");
    expect(await sentSubjects()).toEqual(["Parked"]);
  });
});

describe("pacing under Gmail's limits", () => {
  it("holds at 95% of the daily cap until the oldest send ages out, and warns from 80%", async () => {
    const small = { ...app(), dailySendLimit: 10 };
    // Eight sends in the last day: 80% of a cap of 10.
    for (let n = 0; n < 8; n++) {
      const { id } = await enqueueMessage(userId, compose({ subject: `Earlier ${n}` }), app(0));
      await test.db.message.update({
        where: { id },
        data: { status: "SENT", sendStartedAt: new Date(Date.now() - (10 - n) * 60 * 60_000) },
      });
    }
    expect(await sendingPace(userId, small)).toMatchObject({ lastDay: 8, warning: true, holdUntil: undefined });

    const ninth = await enqueueMessage(userId, compose({ subject: "Ninth" }), app(0));
    await runOutboxOnce(small);
    expect(await statusOf(ninth.id)).toBe("SENT");

    const tenth = await enqueueMessage(userId, compose({ subject: "Tenth" }), app(0));
    expect(await runOutboxOnce(small)).toMatchObject({ paced: 1, sent: 0 });
    const held = await test.db.message.findUniqueOrThrow({ where: { id: tenth.id } });
    expect(held).toMatchObject({ status: "QUEUED", attempts: 0 });
    // The oldest of the day's sends was 10 hours ago: the hold ends when it is 24 hours old.
    expect(held.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 13 * 60 * 60_000);
    expect(held.lastError).toContain("Gmail's sending limit");
  });
});

describe("a scheduled message", () => {
  it("whose connection died is reported well before its time, and keeps its time after a reconnect", async () => {
    const sendAt = new Date(Date.now() + 90 * 60_000);
    const scheduled = await enqueueMessage(userId, compose({ subject: "Tomorrow's offer", sendAt }), app(0));
    expect(scheduled.status).toBe("SCHEDULED");
    await google.control.revokeAccess(DEV_USER.email);
    await test.db.account.updateMany({
      where: { userId },
      data: { lastRefreshedAt: new Date(Date.now() - 2 * 60 * 60_000) },
    });

    expect(await checkScheduledConnections(app(0))).toMatchObject({ parked: 1 });
    const parked = await test.db.message.findUniqueOrThrow({ where: { id: scheduled.id } });
    expect(parked).toMatchObject({
      status: "WAITING_FOR_RECONNECT",
      lastError: "Gmail needs to be reconnected before this message's time.",
    });

    const { tokens } = await connect(google.url, { prompt: "consent" });
    const account = await test.db.account.findFirstOrThrow({ where: { userId } });
    await applyGoogleSignIn(
      {
        ...tokens,
        providerAccountId: account.providerAccountId,
        expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      },
      {},
      app(0),
    );
    expect(await statusOf(scheduled.id)).toBe("SCHEDULED");
    await runOutboxOnce(app());
    expect(await sentSubjects()).toEqual([]);
    await runOutboxOnce(app(91 * 60_000));
    expect(await sentSubjects()).toEqual(["Tomorrow's offer"]);
  });
});

describe("when Google's token endpoint is down", () => {
  it("the message waits and is retried; nobody is told to reconnect", async () => {
    await test.db.account.updateMany({ where: { userId }, data: { expires_at: 0 } });
    const queued = await enqueueMessage(userId, compose(), app(0));
    await google.control.addFault({ endpoint: "token", count: 20, status: 503 });
    await runOutboxOnce(app());
    expect(await statusOf(queued.id)).toBe("QUEUED");
    expect((await test.db.account.findFirstOrThrow({ where: { userId } })).status).toBe("CONNECTED");
    await google.control.clearFaults();
    await runOutboxOnce(app(UNDO_WINDOW_MS + 60_000));
    expect(await statusOf(queued.id)).toBe("SENT");
  });
});

describe("a message to a contact", () => {
  it("is linked to the contact when stored and notes when the contact was last emailed once sent", async () => {
    const contact = await createContact(
      userId,
      contactSchema.parse({
        name: "Grace Hopper",
        email: "grace@evergreen.test",
        company: "",
        title: "",
        phone: "",
        notes: "",
      }),
      app(0),
    );
    const queued = await enqueueMessage(userId, compose(), app(0));
    expect((await test.db.message.findUniqueOrThrow({ where: { id: queued.id } })).contactId).toBe(contact.id);
    await runOutboxOnce(app());
    const noted = await test.db.contact.findUniqueOrThrow({ where: { id: contact.id } });
    expect(noted.lastContactedAt).not.toBeNull();
  });
});
