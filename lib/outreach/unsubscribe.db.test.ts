import { randomBytes } from "node:crypto";
import { simpleParser } from "mailparser";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import { messageSeeder } from "@/test-support/seed-message";
import { linkGoogleAccount } from "../connection/sign-in";
import { contactSchema, createContact } from "../crm/contacts";
import { googleGateway } from "../google/gateway";
import { composeSchema, type ComposeInput } from "../mail/compose";
import { enqueueMessage, findResubmittedMessage, UNDO_WINDOW_MS } from "../mail/messages";
import { runOutboxOnce } from "../mail/outbox";
import type { AppDeps } from "../platform/deps";
import { UserError } from "../platform/errors";
import { answerUnsubscribeRequest, UNSUBSCRIBE_BODY_LIMIT } from "./unsubscribe-page";
import {
  describeUnsubscribeLink,
  getUnsubscribeState,
  isSuppressed,
  newUnsubscribeKey,
  resubscribeContact,
  SuppressedRecipientsError,
  unsubscribeByToken,
  unsubscribeToken,
} from "./unsubscribe";
import { createSequence, enrolContacts } from "./sequences";
import { parseSequence } from "./sequence-rules";

const google = setupEmulator();
const test = setupTestDatabase();
const seedMessage = messageSeeder(test);
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const GRACE = "grace@example.com";

/** A sent message to `to` that carries one-click unsubscribe, and its recipient's token. */
async function sentWithLink(owner: string, to: string, subject = "Our spring offer") {
  const id = await seedMessage(owner, { to: [to], subject });
  const key = newUnsubscribeKey();
  await test.db.message.update({ where: { id }, data: { unsubscribeKey: key } });
  return { id, token: unsubscribeToken(key, to) };
}

const addContact = async (owner: string, email: string, name = "Grace Hopper") =>
  (await createContact(owner, contactSchema.parse({ name, email }), test.deps)).id;
const contactRow = (id: string) => test.db.contact.findUniqueOrThrow({ where: { id } });
const suppressionsOf = (owner: string) =>
  test.db.suppression.findMany({ where: { userId: owner }, orderBy: { email: "asc" } });
const at = (offsetMs: number): Pick<AppDeps, "db" | "now"> => ({
  db: test.db,
  now: () => new Date(Date.now() + offsetMs),
});

describe("the one-click POST", () => {
  it("suppresses the address and marks the contact with the message, once: a second POST changes nothing", async () => {
    const contactId = await addContact(userId, GRACE);
    const { id, token } = await sentWithLink(userId, "Grace Hopper <grace@example.com>");

    expect(await unsubscribeByToken(token, test.deps)).toMatchObject({ ok: true, email: GRACE });
    const first = { suppressions: await suppressionsOf(userId), contact: await contactRow(contactId) };
    expect(first.suppressions).toEqual([{ userId, email: GRACE, unsubscribedAt: expect.any(Date), messageId: id }]);
    expect(first.contact).toMatchObject({ unsubscribedAt: expect.any(Date), unsubscribedFromMessageId: id });

    expect(await unsubscribeByToken(token, at(60_000))).toMatchObject({ ok: true, email: GRACE });
    expect(await suppressionsOf(userId)).toEqual(first.suppressions);
    expect(await contactRow(contactId)).toEqual(first.contact);
  });

  it("stops the address's active sequences at once, the owner's only", async () => {
    const contactId = await addContact(userId, GRACE);
    const otherContactId = await addContact(otherUserId, GRACE);
    const form = {
      name: "Intro",
      timeZone: "UTC",
      days: ["1", "2", "3", "4", "5"],
      from: "9:00",
      to: "17:00",
      steps: [{ subject: "Hello", body: "Hi there", delay: "", business: "" }],
    };
    for (const [owner, contact] of [
      [userId, contactId],
      [otherUserId, otherContactId],
    ] as const) {
      const sequence = await createSequence(owner, parseSequence(form), test.deps);
      await enrolContacts(owner, sequence.id, { contactIds: [contact] }, test.deps);
    }
    const { token } = await sentWithLink(userId, GRACE);

    await unsubscribeByToken(token, test.deps);
    const states = async (owner: string) =>
      (await test.db.sequenceEnrolment.findMany({ where: { userId: owner } })).map((row) => [
        row.state,
        row.stopReason,
      ]);
    expect(await states(userId)).toEqual([["STOPPED", expect.stringMatching(/^Unsubscribed on \d{4}-\d{2}-\d{2}$/)]]);
    expect(await states(otherUserId)).toEqual([["ACTIVE", null]]);
  });

  it("puts an address that is no contact on the suppression list only", async () => {
    const { token } = await sentWithLink(userId, "someone@elsewhere.test");
    const contactsBefore = await test.db.contact.findMany({ where: { userId } });
    expect(await unsubscribeByToken(token, test.deps)).toMatchObject({ ok: true, email: "someone@elsewhere.test" });
    expect((await suppressionsOf(userId)).map((row) => row.email)).toEqual(["someone@elsewhere.test"]);
    expect(await test.db.contact.findMany({ where: { userId } })).toEqual(contactsBefore);
    expect(await isSuppressed(userId, ["Someone <SOMEONE@elsewhere.test>", GRACE], test.deps)).toEqual(
      new Set(["someone@elsewhere.test"]),
    );
  });

  it("answers the same to two uses at once, leaving one row", async () => {
    const { token } = await sentWithLink(userId, GRACE);
    const results = await Promise.all([1, 2, 3].map(() => unsubscribeByToken(token, test.deps)));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await suppressionsOf(userId)).toHaveLength(1);
  });

  it("touches only the owner's rows: user B's contact with the same address stays as it was", async () => {
    const ours = await addContact(userId, GRACE);
    const theirs = await addContact(otherUserId, GRACE);
    const before = await contactRow(theirs);
    const { token } = await sentWithLink(userId, GRACE);

    expect(await unsubscribeByToken(token, test.deps)).toMatchObject({ ok: true });
    expect((await contactRow(ours)).unsubscribedAt).not.toBeNull();
    expect(await contactRow(theirs)).toEqual(before);
    expect(await suppressionsOf(otherUserId)).toEqual([]);
  });

  it("refuses a tampered token, another message's key, or a message without a link, writing nothing", async () => {
    await addContact(userId, GRACE);
    const { token } = await sentWithLink(userId, GRACE);
    const other = await sentWithLink(userId, "alan@example.com");
    const plain = await seedMessage(userId, { to: [GRACE] });
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const bad of [
      flipped,
      `${other.token.split(".")[0]}.${token.split(".")[1]}`,
      `${newUnsubscribeKey()}.${token.split(".")[1]}`,
      plain,
      "",
      "x".repeat(10_000),
    ]) {
      expect(await unsubscribeByToken(bad, test.deps)).toEqual({ ok: false });
      expect(await describeUnsubscribeLink(bad, test.deps)).toEqual({ ok: false });
    }
    expect(await suppressionsOf(userId)).toEqual([]);
  });

  it("is signed with the server's secret: a token made with another secret is refused", async () => {
    const id = await seedMessage(userId, { to: [GRACE] });
    const key = newUnsubscribeKey();
    await test.db.message.update({ where: { id }, data: { unsubscribeKey: key } });
    expect(await unsubscribeByToken(unsubscribeToken(key, GRACE, "some-other-secret-7c2e9a4b1d"), test.deps)).toEqual({
      ok: false,
    });
  });

  it("shows on a GET who asks and whether the address is out already, without writing", async () => {
    await test.db.user.update({ where: { id: userId }, data: { name: "Ada Lovelace" } });
    const { token } = await sentWithLink(userId, GRACE);
    expect(await describeUnsubscribeLink(token, test.deps)).toEqual({
      ok: true,
      email: GRACE,
      sender: "Ada Lovelace",
      unsubscribed: false,
    });
    expect(await suppressionsOf(userId)).toEqual([]);
    await unsubscribeByToken(token, test.deps);
    expect(await describeUnsubscribeLink(token, test.deps)).toMatchObject({ ok: true, unsubscribed: true });
  });
});

describe("what /u/<token> answers", () => {
  const ask = (token: string, init: RequestInit = {}, address = `10.0.${randomBytes(1)[0]}.${randomBytes(1)[0]}`) =>
    answerUnsubscribeRequest(
      new Request(`http://localhost:3000/u/${token}`, {
        ...init,
        headers: { "x-forwarded-for": address, ...init.headers },
      }),
      token,
      test.deps,
      1,
    );
  const oneClick = () => {
    const body = new FormData();
    body.append("List-Unsubscribe", "One-Click");
    return { method: "POST", body };
  };

  it("GET: a page with one button that posts, and nobody unsubscribed; POST: 200 and a page saying so, twice", async () => {
    await test.db.user.update({ where: { id: userId }, data: { name: "Ada Lovelace" } });
    const { token } = await sentWithLink(userId, GRACE);
    const get = await ask(token);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await get.text();
    expect(html.match(/<button\b/g)).toHaveLength(1);
    expect(html).toContain('<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(html).toContain("gr•••@example.com");
    expect(html).not.toMatch(/<script|style=/);
    expect(await suppressionsOf(userId)).toEqual([]);

    for (const init of [
      oneClick(),
      {
        method: "POST",
        body: "List-Unsubscribe=One-Click",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
    ]) {
      const post = await ask(token, init);
      expect(post.status).toBe(200);
      expect(await post.text()).toContain("You are unsubscribed from Ada Lovelace's emails.");
    }
    expect(await suppressionsOf(userId)).toHaveLength(1);
    expect(await (await ask(token)).text()).not.toContain("<button");
  });

  it("answers 400 in plain words to a link that is not valid, GET or POST", async () => {
    const { token } = await sentWithLink(userId, GRACE);
    for (const bad of [token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"), "x", "%00"]) {
      for (const init of [{}, oneClick()]) {
        const response = await ask(bad, init);
        expect(response.status).toBe(400);
        expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
        expect(await response.text()).toMatch(/^This unsubscribe link is not valid\./);
      }
    }
    expect(await suppressionsOf(userId)).toEqual([]);
  });

  it("refuses a body over a few KB with 413, before reading more", async () => {
    const { token } = await sentWithLink(userId, GRACE);
    const response = await ask(token, { method: "POST", body: "x".repeat(UNSUBSCRIBE_BODY_LIMIT + 1) });
    expect(response.status).toBe(413);
    expect(await suppressionsOf(userId)).toEqual([]);
  });

  it("answers 429 with Retry-After once one address passes the limit", async () => {
    const { token } = await sentWithLink(userId, GRACE);
    const address = `10.1.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
    const statuses: number[] = [];
    for (let n = 0; n < 61; n++) statuses.push((await ask(token, {}, address)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(60);
    const refused = await ask(token, oneClick(), address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/^Too many requests from your network/);
    expect(await suppressionsOf(userId)).toEqual([]);
  });
});

describe("the contact's state and resubscribing", () => {
  it("shows when, and from which message by its subject; resubscribing needs a note and lifts the suppression", async () => {
    const contactId = await addContact(userId, GRACE);
    const { id, token } = await sentWithLink(userId, GRACE, "Spring offer");
    expect(await getUnsubscribeState(userId, contactId, test.deps)).toEqual({
      email: GRACE,
      unsubscribed: null,
      resubscribed: null,
    });
    await unsubscribeByToken(token, test.deps);
    expect(await getUnsubscribeState(userId, contactId, test.deps)).toEqual({
      email: GRACE,
      unsubscribed: { at: expect.any(Date), message: { id, subject: "Spring offer" } },
      resubscribed: null,
    });

    await expect(resubscribeContact(userId, contactId, "  ", test.deps)).rejects.toThrow("Note");
    expect(await isSuppressed(userId, [GRACE], test.deps)).toEqual(new Set([GRACE]));

    const note = "They asked to hear from us again by phone";
    expect(await resubscribeContact(userId, contactId, ` ${note} `, test.deps)).toBe(true);
    expect(await isSuppressed(userId, [GRACE], test.deps)).toEqual(new Set());
    expect(await getUnsubscribeState(userId, contactId, test.deps)).toEqual({
      email: GRACE,
      unsubscribed: null,
      resubscribed: { at: expect.any(Date), note },
    });
    await expect(resubscribeContact(userId, contactId, note, test.deps)).rejects.toBeInstanceOf(UserError);

    // The old link still works if they change their mind again.
    expect(await unsubscribeByToken(token, test.deps)).toMatchObject({ ok: true });
    expect((await getUnsubscribeState(userId, contactId, test.deps))?.unsubscribed).not.toBeNull();
  });

  it("shows an unsubscribe made before the address became a contact", async () => {
    const { id, token } = await sentWithLink(userId, GRACE, "Before");
    await unsubscribeByToken(token, test.deps);
    const contactId = await addContact(userId, GRACE);
    expect((await getUnsubscribeState(userId, contactId, test.deps))?.unsubscribed).toEqual({
      at: expect.any(Date),
      message: { id, subject: "Before" },
    });
    expect(await resubscribeContact(userId, contactId, "Asked at the fair", test.deps)).toBe(true);
    expect(await isSuppressed(userId, [GRACE], test.deps)).toEqual(new Set());
  });

  it("never reads or resubscribes another user's contact, whose id works like one that does not exist", async () => {
    const theirs = await addContact(otherUserId, GRACE);
    const { token } = await sentWithLink(otherUserId, GRACE);
    await unsubscribeByToken(token, test.deps);
    const before = { contact: await contactRow(theirs), suppressions: await suppressionsOf(otherUserId) };

    expect(await resubscribeContact(userId, theirs, "Mine now", test.deps)).toBe(false);
    expect(await resubscribeContact(userId, "c0000000000000000000000000", "Mine now", test.deps)).toBe(false);
    expect(await getUnsubscribeState(userId, theirs, test.deps)).toBeNull();
    expect(await contactRow(theirs)).toEqual(before.contact);
    expect(await suppressionsOf(otherUserId)).toEqual(before.suppressions);
  });
});

describe("one-to-one email", () => {
  const compose = (overrides: Partial<ComposeInput> = {}) =>
    composeSchema.parse({
      to: [GRACE],
      subject: "Hello",
      body: "Hi Grace",
      idempotencyKey: randomBytes(12).toString("hex"),
      ...overrides,
    });

  it("with an unsubscribe link stores its key and the footer in the body, and the footer's link works", async () => {
    const message = compose({ unsubscribeLink: true });
    const queued = await enqueueMessage(userId, message, test.deps);
    const row = await test.db.message.findUniqueOrThrow({ where: { id: queued.id } });
    expect(row.unsubscribeKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const link = /\n\n--\nUnsubscribe: (https?:\/\/\S+\/u\/(\S+))$/.exec(row.text);
    expect(row.text.startsWith("Hi Grace\n\n--\nUnsubscribe: ")).toBe(true);
    expect(link?.[2]?.startsWith(`${row.unsubscribeKey}.`)).toBe(true);
    expect(await unsubscribeByToken(link![2], test.deps)).toMatchObject({ ok: true, email: GRACE });

    // The same form again (a lost answer) finds the same message, footer and all.
    expect(await findResubmittedMessage(userId, message, test.deps)).toMatchObject({ id: queued.id, duplicate: true });
  });

  it("without one has neither key nor footer", async () => {
    const queued = await enqueueMessage(userId, compose(), test.deps);
    expect(await test.db.message.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({
      unsubscribeKey: null,
      text: "Hi Grace",
    });
  });

  it("to an address that unsubscribed is refused until the user says Send anyway for it", async () => {
    const { token } = await sentWithLink(userId, GRACE);
    await unsubscribeByToken(token, test.deps);
    const refused = enqueueMessage(userId, compose({ cc: ["Alan <alan@example.com>"] }), test.deps);
    await expect(refused).rejects.toBeInstanceOf(SuppressedRecipientsError);
    await expect(refused).rejects.toMatchObject({
      field: "sendToUnsubscribed",
      recipients: [{ email: GRACE, unsubscribedAt: expect.any(Date) }],
      message: expect.stringMatching(/^grace@example\.com unsubscribed from your emails on .+\. Send anyway\?$/),
    });
    // Confirming another address is no confirmation for this one.
    await expect(
      enqueueMessage(userId, compose({ sendToUnsubscribed: ["alan@example.com"] }), test.deps),
    ).rejects.toBeInstanceOf(SuppressedRecipientsError);
    await expect(
      enqueueMessage(userId, compose({ sendToUnsubscribed: ["GRACE@example.com"] }), test.deps),
    ).resolves.toMatchObject({ status: "QUEUED" });
    // Another user's suppression list is theirs.
    await expect(enqueueMessage(otherUserId, compose(), test.deps)).resolves.toMatchObject({ status: "QUEUED" });
  });
});

describe("the outbox", () => {
  let subject = 0;
  const app = (): AppDeps => ({
    ...test.deps,
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
    now: () => new Date(Date.now() + UNDO_WINDOW_MS + 1_000),
  });

  beforeEach(async () => {
    subject += 1;
    const { tokens } = await connect(google.url, { prompt: "consent" });
    await linkGoogleAccount(
      {
        ...tokens,
        providerAccountId: `${DEV_USER.sub}-unsubscribe-${subject}`,
        expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
        userId,
        type: "oidc",
        provider: "google",
      },
      app(),
    );
  });

  it("sends a message with a link with List-Unsubscribe naming it and List-Unsubscribe-Post", async () => {
    const queued = await enqueueMessage(
      userId,
      composeSchema.parse({
        to: [GRACE],
        subject: `With a link ${subject}`,
        body: "Hi",
        idempotencyKey: randomBytes(12).toString("hex"),
        unsubscribeLink: true,
      }),
      test.deps,
    );
    expect(await runOutboxOnce(app())).toMatchObject({ sent: 1 });
    const row = await test.db.message.findUniqueOrThrow({ where: { id: queued.id } });
    const [sent] = await google.control.messages();
    const parsed = await simpleParser(sent!.raw);
    const url = /Unsubscribe: (\S+)$/.exec(row.text)![1]!;
    expect(parsed.headerLines.filter((line) => line.key.startsWith("list-"))).toEqual([
      { key: "list-unsubscribe", line: `List-Unsubscribe: <${url}>` },
      { key: "list-unsubscribe-post", line: "List-Unsubscribe-Post: List-Unsubscribe=One-Click" },
    ]);
  });

  it("cancels a merge message whose address unsubscribed after it was queued, instead of sending it", async () => {
    const merge = await test.db.merge.create({
      data: { userId, name: "Spring", subject: "Offer", body: "Hi", audience: "test", fallbacks: {} },
    });
    const queued = await enqueueMessage(
      userId,
      composeSchema.parse({
        to: [GRACE],
        subject: `Merge ${subject}`,
        body: "Hi",
        idempotencyKey: randomBytes(12).toString("hex"),
      }),
      test.deps,
    );
    await test.db.message.update({ where: { id: queued.id }, data: { mergeId: merge.id } });
    const { token } = await sentWithLink(userId, GRACE);
    await unsubscribeByToken(token, test.deps);

    expect(await runOutboxOnce(app())).toMatchObject({ sent: 0, cancelled: 1 });
    expect(await test.db.message.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({
      status: "CANCELLED",
      lastError: `Not sent: ${GRACE} unsubscribed.`,
      leaseId: null,
    });
    expect(await google.control.messages()).toEqual([]);
  });
});
