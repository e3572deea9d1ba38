import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import { messageSeeder } from "@/test-support/seed-message";
import { TWO_STEP_FORM } from "@/test-support/sequence-form";
import { contactSchema, createContact, type ContactInput } from "./contacts";
import { listContactMessages, listContactReplies, TIMELINE_LIMIT } from "./timeline";
import { composeSchema } from "../mail/compose";
import { enqueueMessage } from "../mail/messages";
import { parseSequence } from "../outreach/sequence-rules";
import { createSequence, enrolContacts, markContactReplied } from "../outreach/sequences";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const add = (owner: string, input: ContactInput) => createContact(owner, contactSchema.parse(input), test.deps);
const seedMessage = messageSeeder(test);

describe("the contact's timeline", () => {
  it("lists messages to, copied or blind-copied to the address, or linked to the contact, newest first", async () => {
    const contact = { id: (await add(userId, { email: "ada@example.com" })).id, email: "ada@example.com" };
    await test.db.account.create({
      data: {
        userId,
        type: "oidc",
        provider: "google",
        providerAccountId: randomBytes(6).toString("hex"),
        email: "me@gmail.test",
      },
    });
    await seedMessage(userId, { to: ["ada@example.com"], subject: "To" });
    await seedMessage(userId, { to: ["x@y.test"], cc: ["ADA@example.com"], subject: "Cc", status: "FAILED" });
    await seedMessage(userId, { to: ["x@y.test"], bcc: ["ada@example.com"], subject: "Bcc", status: "QUEUED" });
    await seedMessage(userId, { to: ["old-address@example.com"], contactId: contact.id, subject: "Linked" });
    await seedMessage(userId, { to: ["ada@example.com"], subject: "Draft", status: "DRAFT" });
    await seedMessage(userId, { to: ["ada@example.com"], subject: "Cancelled", status: "CANCELLED" });
    await seedMessage(userId, { to: ["ada@example.com.evil.test", "xada@example.com"], subject: "Lookalike" });
    await seedMessage(otherUserId, { to: ["ada@example.com"], subject: "Someone else's" });

    const timeline = await listContactMessages(userId, contact, test.deps);
    expect(timeline.map((item) => item.subject).sort()).toEqual(["Bcc", "Cc", "Linked", "To"]);
    expect(timeline.find((item) => item.subject === "To")).toMatchObject({
      status: "SENT",
      gmailUrl: "https://mail.google.com/mail/u/me%40gmail.test/#sent/18c2f0a1b2c3d4e5",
    });
    expect(timeline.find((item) => item.subject === "Bcc")).toMatchObject({ status: "QUEUED", gmailUrl: null });
  });

  it("shows mail composed in Evergreen to the address in To, Cc or Bcc, the newest 50, newest first", async () => {
    const contact = { id: (await add(userId, { email: "ada@example.com" })).id, email: "ada@example.com" };
    const start = Date.parse("2026-03-01T10:00:00Z");
    for (let n = 0; n < TIMELINE_LIMIT + 5; n++) {
      const field = (["to", "cc", "bcc"] as const)[n % 3]!;
      const compose = { to: ["x@y.test"], subject: `#${n}`, body: "", idempotencyKey: randomBytes(12).toString("hex") };
      // A To of the contact also links the message to it: it must still be listed once.
      await enqueueMessage(userId, composeSchema.parse({ ...compose, [field]: ["Ada@Example.com"] }), {
        ...test.deps,
        now: () => new Date(start + n * 60_000),
      });
    }
    const timeline = await listContactMessages(userId, contact, test.deps);
    expect(timeline.map((item) => item.subject)).toEqual(
      Array.from({ length: TIMELINE_LIMIT }, (_, i) => `#${TIMELINE_LIMIT + 4 - i}`),
    );
  });
});

describe("replies on the timeline", () => {
  it("lists the contact's sequences that stopped because they replied, with the date, and only the user's", async () => {
    const contactId = (await add(userId, { email: "ada@example.com" })).id;
    const { id: sequenceId } = await createSequence(userId, parseSequence(TWO_STEP_FORM), test.deps);
    const repliedAt = new Date("2026-12-08T10:00:00Z");
    await enrolContacts(userId, sequenceId, { contactIds: [contactId] }, test.deps);
    expect(await listContactReplies(userId, contactId, test.deps)).toEqual([]);
    await markContactReplied(userId, contactId, { ...test.deps, now: () => repliedAt });
    expect(await listContactReplies(userId, contactId, test.deps)).toEqual([
      { enrolmentId: expect.any(String), sequence: { id: sequenceId, name: TWO_STEP_FORM.name }, at: repliedAt },
    ]);
    expect(await listContactReplies(otherUserId, contactId, test.deps)).toEqual([]);
  });
});
