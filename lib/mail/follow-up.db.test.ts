import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { linkGoogleAccount } from "../connection/sign-in";
import { composeSchema, type ComposeInput } from "./compose";
import { findFollowUpSource } from "./follow-up";
import { followUpSubject } from "./follow-up-rules";
import { enqueueMessage, UNDO_WINDOW_MS } from "./messages";
import { runOutboxOnce } from "./outbox";

// Follow-ups against the local Google, which threads as Gmail does (google-behavior.md §9.6): the
// thread named, the References naming a message in it, and the subject the thread's.

const google = setupEmulator();
const test = setupTestDatabase();
let userId: string;
let n = 0;

function app(offsetMs = UNDO_WINDOW_MS + 1_000): AppDeps {
  return {
    ...test.deps,
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
    now: () => new Date(Date.now() + offsetMs),
  };
}

async function newUser() {
  n += 1;
  const id = (await test.db.user.create({ data: { email: `follow-up${n}@evergreen.test`, name: "Ada Lovelace" } })).id;
  const { tokens } = await connect(google.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `${DEV_USER.sub}-follow-up-${n}`,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId: id,
      type: "oidc",
      provider: "google",
    },
    app(0),
  );
  return id;
}

beforeEach(async () => {
  userId = await newUser();
});

const compose = (overrides: Partial<ComposeInput> = {}) =>
  composeSchema.parse({
    to: ["grace@evergreen.test"],
    cc: ["team@evergreen.test"],
    bcc: [],
    subject: "Our call on Tuesday",
    body: "Hi Grace",
    idempotencyKey: randomBytes(12).toString("hex"),
    ...overrides,
  });

/** Queues and sends one message as the outbox does; returns its row. */
async function send(owner: string, overrides: Partial<ComposeInput> = {}) {
  const queued = await enqueueMessage(owner, compose(overrides), app(0));
  expect(await runOutboxOnce(app())).toMatchObject({ sent: 1 });
  return test.db.message.findUniqueOrThrow({ where: { id: queued.id } });
}

const atGoogle = async (rfc822MessageId: string | null) =>
  (await google.control.messages()).find((message) => message.messageId === rfc822MessageId)!;

describe("a follow-up", () => {
  it("joins the first email's Gmail thread with In-Reply-To and References from Evergreen's own Message-IDs", async () => {
    const first = await send(userId);
    const source = (await findFollowUpSource(userId, first.id, test.deps))!;
    expect(source).toMatchObject({ to: ["grace@evergreen.test"], cc: ["team@evergreen.test"] });

    const second = await send(userId, { subject: followUpSubject(source.subject), followUpOf: first.id });
    const third = await send(userId, { subject: "Re: Our call on Tuesday", followUpOf: second.id });

    expect(second).toMatchObject({ followUpOfId: first.id, inReplyTo: first.rfc822MessageId });
    const [firstAt, secondAt, thirdAt] = await Promise.all(
      [first, second, third].map((m) => atGoogle(m.rfc822MessageId)),
    );
    expect(secondAt!.threadId).toBe(firstAt!.threadId);
    expect(thirdAt!.threadId).toBe(firstAt!.threadId);
    expect(third.gmailThreadId).toBe(first.gmailThreadId);
    expect(thirdAt!.headers["in-reply-to"]).toBe(second.rfc822MessageId);
    expect(thirdAt!.headers.references).toBe(`${first.rfc822MessageId} ${second.rfc822MessageId}`);
    expect(thirdAt!.subject).toBe("Re: Our call on Tuesday");
  });

  it("starts a new thread when the user changes the subject, as Gmail does", async () => {
    const first = await send(userId);
    const second = await send(userId, { subject: "Something else entirely", followUpOf: first.id });
    expect((await atGoogle(second.rfc822MessageId)).threadId).not.toBe(
      (await atGoogle(first.rfc822MessageId)).threadId,
    );
  });

  it.each([
    ["another user's sent email", async () => (await send(await newUser())).id],
    ["an email not sent yet", async () => (await enqueueMessage(userId, compose({ subject: "Later" }), app(0))).id],
    ["an id that names nothing", async () => "c0000000000000000000000000"],
  ])("is refused at the field for %s, and nothing is queued", async (_, target) => {
    const id = await target();
    const before = await test.db.message.count({ where: { userId } });
    await expect(enqueueMessage(userId, compose({ followUpOf: id }), app(0))).rejects.toMatchObject({
      field: "followUpOf",
      message: expect.stringMatching(/not one of your sent emails/),
    });
    expect(await test.db.message.count({ where: { userId } })).toBe(before);
  });
});
