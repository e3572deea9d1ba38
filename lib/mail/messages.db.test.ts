import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { messageEnqueuer } from "@/test-support/seed-message";
import { createTwoUsers } from "@/test-support/test-users";
import { composeSchema } from "./compose";
import { cancelMessage, decideMessage, enqueueMessage, findResubmittedMessage, getMessageStatus } from "./messages";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const message = messageEnqueuer(test);

describe("a message to a recipient with a display name", () => {
  it("keeps the name, and is found on the contact's timeline by the address", async () => {
    const contact = await test.db.contact.create({
      data: { userId, email: "bob@x.test", name: "Bob", searchText: "bob bob@x.test" },
    });
    const id = await message(userId, { to: ["Bob Smith <Bob@X.test>"] });
    const stored = await test.db.message.findUniqueOrThrow({
      where: { id },
      select: { to: true, contactId: true, recipients: { select: { email: true } } },
    });
    expect(stored).toEqual({
      to: ["Bob Smith <bob@x.test>"],
      contactId: contact.id,
      recipients: [{ email: "bob@x.test" }],
    });
  });
});

describe("a message's status for the compose page", () => {
  it("is the owner's to read only", async () => {
    const id = await message(userId, { to: ["a@x.test"] });
    expect(await getMessageStatus(userId, id, test.deps)).toEqual({ status: "QUEUED", lastError: null });
    expect(await getMessageStatus(otherUserId, id, test.deps)).toBeNull();
  });
});

// Found by the hostile-input corpus (attack/hostile-forms.db.test.ts).
describe("a decision about an id no row could have", () => {
  it("finds nothing and changes nothing, rather than failing (NUL on PostgreSQL, half a surrogate pair)", async () => {
    const id = await message(userId, { to: ["a@x.test"] });
    for (const bad of ["\u0000", "\ud800", `${id}\u0000`]) {
      expect(await cancelMessage(userId, bad, test.deps)).toBe(false);
      expect(await getMessageStatus(userId, bad, test.deps)).toBeNull();
      expect(await decideMessage(userId, bad, "dismiss", test.deps)).toBe(false);
    }
    expect(await getMessageStatus(userId, id, test.deps)).toEqual({ status: "QUEUED", lastError: null });
  });
});

describe("a resubmitted form", () => {
  it("finds the message its idempotency key made, and nothing for a new key or for another user", async () => {
    const form = composeSchema.parse({
      to: ["ada@x.test"],
      subject: "Hi",
      body: "",
      idempotencyKey: randomBytes(12).toString("hex"),
      attachments: [{ filename: "a.pdf", contentType: "application/pdf", content: randomBytes(64) }],
    });
    const queued = await enqueueMessage(userId, form, test.deps);
    expect(await findResubmittedMessage(userId, form, test.deps)).toEqual({
      id: queued.id,
      status: "QUEUED",
      sendAt: queued.sendAt,
      duplicate: true,
    });
    expect(await findResubmittedMessage(otherUserId, form, test.deps)).toBeUndefined();
    const fresh = { ...form, idempotencyKey: randomBytes(12).toString("hex") };
    expect(await findResubmittedMessage(userId, fresh, test.deps)).toBeUndefined();
  });

  it("is one message per user: two users sending under the same key each get exactly one message, their own", async () => {
    const key = randomBytes(12).toString("hex");
    const form = (subject: string) =>
      composeSchema.parse({ to: ["p1@x.test"], subject, body: "", idempotencyKey: key });
    const ada = await enqueueMessage(userId, form("From Ada"), test.deps);
    const grace = await enqueueMessage(otherUserId, form("From Grace"), test.deps);
    expect(grace.id).not.toBe(ada.id);
    expect(grace.duplicate).toBe(false);

    // A double click by each finds that user's own message again.
    expect(await enqueueMessage(userId, form("From Ada"), test.deps)).toMatchObject({ id: ada.id, duplicate: true });
    expect(await enqueueMessage(otherUserId, form("From Grace"), test.deps)).toMatchObject({
      id: grace.id,
      duplicate: true,
    });
    const stored = await test.db.message.findMany({
      where: { idempotencyKey: key },
      select: { userId: true, subject: true },
      orderBy: { subject: "asc" },
    });
    expect(stored).toEqual([
      { userId, subject: "From Ada" },
      { userId: otherUserId, subject: "From Grace" },
    ]);
  });

  it("with other content is not that message: two tabs writing from one saved draft each get their own answer", async () => {
    const key = randomBytes(12).toString("hex");
    const first = composeSchema.parse({ to: ["p9@x.test"], subject: "Tab one", body: "One", idempotencyKey: key });
    const queued = await enqueueMessage(userId, first, test.deps);
    for (const other of [
      { ...first, to: ["p10@x.test"] },
      { ...first, subject: "Tab two" },
      { ...first, body: "Two" },
      { ...first, attachments: [{ filename: "x.pdf", contentType: "application/pdf", content: randomBytes(8) }] },
    ]) {
      await expect(enqueueMessage(userId, composeSchema.parse(other), test.deps)).rejects.toThrow(
        "Not sent: this draft was already sent from another tab or window, as “Tab one”.",
      );
    }
    expect(await test.db.message.count({ where: { userId } })).toBe(1);
    expect(await enqueueMessage(userId, first, test.deps)).toMatchObject({ id: queued.id, duplicate: true });
  });
});
