import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect, EVERGREEN_SCOPES } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { GMAIL_METADATA_SCOPE, GMAIL_SEND_SCOPE } from "../google/oauth";
import { METADATA_SCOPE_LABEL } from "../connection/copy";
import { applyGoogleSignIn, linkGoogleAccount } from "../connection/sign-in";
import { getConnection } from "../connection/status";
import { composeSchema } from "../mail/compose";
import { enqueueMessage, UNDO_WINDOW_MS } from "../mail/messages";
import { runOutboxOnce } from "../mail/outbox";
import { BOUNCED_STOP_REASON, REPLIED_STOP_REASON } from "./reply-detection-copy";
import {
  checkEnrolmentForReply,
  checkRepliesDue,
  REPLY_CHECK_INTERVAL_MS,
  replyDetectionAuthorization,
  replyDetectionState,
  setReplyDetection,
} from "./reply-detection";

// Reply detection end to end against the local Google: a sequence's first email really sent through the
// outbox, then a reply, an auto-reply or a bounce added to its Gmail thread with the control API, and the
// thread's headers read with threads.get format=metadata under the user's own gmail.metadata grant.

const google = setupEmulator();
const test = setupTestDatabase();
const WITH_METADATA = [...EVERGREEN_SCOPES, GMAIL_METADATA_SCOPE];
let n = 0;

function app(offsetMs = 0, replyDetection: AppDeps["replyDetection"] = "metadata"): AppDeps {
  return {
    ...test.deps,
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
    now: () => new Date(Date.now() + offsetMs),
    replyDetection,
  };
}

const threadReads = async () => (await google.control.calls())["gmail.threads.get"] ?? 0;

/**
 * A new Evergreen user with detection turned on, whose Gmail connection granted `scopes`: a Google
 * account of its own, so no earlier grant at the local Google joins an incremental authorization.
 */
async function newUser(scopes = WITH_METADATA) {
  n += 1;
  const email = `reply-detection${n}@evergreen.test`;
  const userId = (await test.db.user.create({ data: { email, name: "Ada Lovelace", replyDetection: true } })).id;
  const { sub: providerAccountId } = await google.control.addUser({ email });
  const first = await connect(google.url, { prompt: "consent", scopes, account: email });
  await linkGoogleAccount(
    {
      ...first.tokens,
      providerAccountId,
      expires_at: Math.floor((first.tokens.expiry_date ?? 0) / 1000),
      userId,
      type: "oidc",
      provider: "google",
    },
    app(),
  );
  return { userId, email, providerAccountId, browser: first.browser };
}

/** A one-to-one email sent through the outbox to Gmail; its row (with Gmail's thread id). */
async function sendFirstStep(userId: string, to = "grace@evergreen.test") {
  const queued = await enqueueMessage(
    userId,
    composeSchema.parse({
      to: [to],
      cc: [],
      bcc: [],
      subject: "Quick question",
      body: "Hi Grace, a private question.",
      idempotencyKey: randomBytes(12).toString("hex"),
    }),
    app(),
  );
  expect(await runOutboxOnce(app(UNDO_WINDOW_MS + 1_000))).toMatchObject({ sent: 1 });
  return test.db.message.findUniqueOrThrow({ where: { id: queued.id } });
}

/** A two-step sequence with one contact enrolled whose first step went out as `first`. */
async function enrol(userId: string, first: { id: string }, email = "grace@evergreen.test") {
  const sequence = await test.db.sequence.create({
    data: {
      userId,
      name: `Intro ${n}-${randomBytes(3).toString("hex")}`,
      versions: {
        create: {
          number: 1,
          steps: {
            create: [
              { position: 0, subject: "Quick question", body: "Hi" },
              { position: 1, delayDays: 3, subject: "Re: Quick question", body: "Following up" },
            ],
          },
        },
      },
    },
    select: { id: true, versions: { select: { id: true } } },
  });
  return test.db.sequenceEnrolment.create({
    data: {
      userId,
      sequenceId: sequence.id,
      versionId: sequence.versions[0]!.id,
      email,
      step: 1,
      nextSendAt: new Date(Date.now() + 3 * 86_400_000),
      firstMessageId: first.id,
      lastMessageId: first.id,
    },
  });
}

async function enrolled(userId: string) {
  const first = await sendFirstStep(userId);
  const enrolment = await enrol(userId, first);
  return { threadId: first.gmailThreadId!, enrolmentId: enrolment.id };
}

const enrolmentRow = (id: string) => test.db.sequenceEnrolment.findUniqueOrThrow({ where: { id } });

let user: Awaited<ReturnType<typeof newUser>>;
beforeEach(async () => {
  user = await newUser();
});

describe("checking one enrolment's thread", () => {
  it("a reply stops it as Replied at the reply's date, reading headers only", async () => {
    const { threadId, enrolmentId } = await enrolled(user.userId);
    const repliedAt = new Date(Date.now() + 60_000);
    repliedAt.setMilliseconds(0);
    await google.control.addReply(threadId, {
      from: "grace@evergreen.test",
      fromName: "Grace Hopper",
      text: "Yes, Tuesday works. My door code is 4321.",
      at: repliedAt.toISOString(),
    });
    const messagesBefore = await test.db.message.count();

    const checkedAt = app(120_000);
    expect(await checkEnrolmentForReply(enrolmentId, checkedAt)).toEqual({ kind: "replied" });

    const row = await enrolmentRow(enrolmentId);
    expect(row).toMatchObject({ state: "REPLIED", stopReason: REPLIED_STOP_REASON, repliedAt, nextSendAt: null });
    expect(row.endedAt).not.toBeNull();
    expect(row.replyCheckedAt).toEqual(row.endedAt);
    expect(row.nextReplyCheckAt!.getTime() - row.replyCheckedAt!.getTime()).toBe(REPLY_CHECK_INTERVAL_MS);
    expect(await threadReads()).toBe(1);
    // Nothing of the reply was stored: no message row, no text anywhere in the enrolment.
    expect(await test.db.message.count()).toBe(messagesBefore);
    expect(JSON.stringify(row)).not.toContain("4321");
    // A stopped enrolment is not read again.
    expect(await checkEnrolmentForReply(enrolmentId, checkedAt)).toEqual({ kind: "none" });
    expect(await threadReads()).toBe(1);
  });

  it.each(["auto-submitted", "x-autoreply", "precedence-bulk", "precedence-auto_reply"] as const)(
    "an auto-reply (%s) does not stop it",
    async (kind) => {
      const { threadId, enrolmentId } = await enrolled(user.userId);
      await google.control.addAutoReply(threadId, { from: "grace@evergreen.test", kind });

      expect(await checkEnrolmentForReply(enrolmentId, app())).toEqual({ kind: "none" });
      const row = await enrolmentRow(enrolmentId);
      expect(row).toMatchObject({ state: "ACTIVE", stopReason: null, repliedAt: null, endedAt: null });
      expect(row.replyCheckedAt).not.toBeNull();
      expect(row.nextSendAt).not.toBeNull();
    },
  );

  it("a bounce from mailer-daemon stops it as a failed step", async () => {
    const { threadId, enrolmentId } = await enrolled(user.userId);
    await google.control.addBounce(threadId, { recipient: "grace@evergreen.test" });

    expect(await checkEnrolmentForReply(enrolmentId, app())).toEqual({ kind: "bounced" });
    expect(await enrolmentRow(enrolmentId)).toMatchObject({
      state: "STOPPED",
      stopReason: BOUNCED_STOP_REASON,
      repliedAt: null,
      nextSendAt: null,
    });
  });

  it("the user's own follow-up in the thread is no reply", async () => {
    const { threadId, enrolmentId } = await enrolled(user.userId);
    await google.control.addReply(threadId, { from: user.email });
    expect(await checkEnrolmentForReply(enrolmentId, app())).toEqual({ kind: "none" });
    expect((await enrolmentRow(enrolmentId)).state).toBe("ACTIVE");
  });
});

describe("without gmail.metadata", () => {
  it("a grant without it is 'needs-permission': stops are manual and Google is not asked", async () => {
    const sendOnly = await newUser(EVERGREEN_SCOPES);
    const { threadId, enrolmentId } = await enrolled(sendOnly.userId);
    await google.control.addReply(threadId, { from: "grace@evergreen.test" });

    expect(await replyDetectionState(sendOnly.userId, app())).toBe("needs-permission");
    expect(await checkEnrolmentForReply(enrolmentId, app())).toEqual({ kind: "manual" });
    expect(await threadReads()).toBe(0);
    const row = await enrolmentRow(enrolmentId);
    expect(row).toMatchObject({ state: "ACTIVE", replyCheckedAt: null });
    expect(row.nextReplyCheckAt).not.toBeNull();
  });

  it("Google's 403 for a token without it falls back to manual and stops nothing", async () => {
    const sendOnly = await newUser(EVERGREEN_SCOPES);
    const { threadId, enrolmentId } = await enrolled(sendOnly.userId);
    await google.control.addReply(threadId, { from: "grace@evergreen.test" });
    // The stored scope claims gmail.metadata; the token Google issued does not have it.
    await test.db.account.updateMany({
      where: { userId: sendOnly.userId },
      data: { scope: [...EVERGREEN_SCOPES, GMAIL_METADATA_SCOPE].join(" ") },
    });

    expect(await checkEnrolmentForReply(enrolmentId, app())).toEqual({ kind: "manual" });
    expect(await threadReads()).toBe(1);
    expect(await enrolmentRow(enrolmentId)).toMatchObject({ state: "ACTIVE", replyCheckedAt: null, repliedAt: null });
  });

  it("the deployment setting unset means off for everyone, whatever the user chose", async () => {
    const { enrolmentId } = await enrolled(user.userId);
    const off = app(0, "off");
    expect(await replyDetectionState(user.userId, off)).toBe("off-by-deployment");
    expect(await checkEnrolmentForReply(enrolmentId, off)).toEqual({ kind: "manual" });
    expect(await checkRepliesDue(off)).toEqual({ replied: 0, bounced: 0, none: 0, manual: 0, unavailable: 0 });
    expect(await threadReads()).toBe(0);
    await expect(setReplyDetection(user.userId, true, off)).rejects.toThrow(/not enabled on this server/);
  });
});

describe("turning it on: incremental authorization", () => {
  it("adds gmail.metadata to the grant and keeps gmail.send; a sign-in later asks for it again", async () => {
    const plain = await newUser(EVERGREEN_SCOPES);
    await test.db.user.update({ where: { id: plain.userId }, data: { replyDetection: false } });
    expect(await replyDetectionState(plain.userId, app())).toBe("off");

    const { state, authorization } = await setReplyDetection(plain.userId, true, app());
    expect(state).toBe("needs-permission");
    expect(authorization).toEqual({
      scope: [...EVERGREEN_SCOPES, GMAIL_METADATA_SCOPE].join(" "),
      include_granted_scopes: "true",
      login_hint: plain.email,
    });

    const granted = await connect(google.url, { browser: plain.browser, prompt: "consent", extra: authorization });
    await applyGoogleSignIn({ ...granted.tokens, providerAccountId: plain.providerAccountId }, {}, app());
    expect(await replyDetectionState(plain.userId, app())).toBe("on");
    const connection = await getConnection(plain.userId, app());
    expect(connection).toMatchObject({ status: "CONNECTED" });
    expect(connection?.grantedScopes).toEqual(expect.arrayContaining([GMAIL_SEND_SCOPE, GMAIL_METADATA_SCOPE]));

    // The new grant sends and reads.
    const { threadId, enrolmentId } = await enrolled(plain.userId);
    await google.control.addReply(threadId, { from: "grace@evergreen.test" });
    expect(await checkEnrolmentForReply(enrolmentId, app())).toEqual({ kind: "replied" });

    // Any later sign-in of this Google account asks for the same, so a new refresh token keeps it.
    expect(await replyDetectionAuthorization({ providerAccountId: plain.providerAccountId }, app())).toMatchObject({
      include_granted_scopes: "true",
    });
    // Turned on again with the permission in place, nothing is asked of Google.
    await setReplyDetection(plain.userId, false, app());
    expect(await replyDetectionAuthorization({ userId: plain.userId }, app())).toEqual({});
    expect(await setReplyDetection(plain.userId, true, app())).toEqual({ state: "on" });
  });

  it("with the metadata box unticked, the state stays 'needs-permission' and sending still works", async () => {
    const plain = await newUser(EVERGREEN_SCOPES);
    const { authorization } = await setReplyDetection(plain.userId, true, app());
    const narrower = await connect(google.url, {
      browser: plain.browser,
      prompt: "consent",
      extra: authorization,
      untick: [METADATA_SCOPE_LABEL],
    });
    expect(narrower.tokens.scope?.split(" ")).not.toContain(GMAIL_METADATA_SCOPE);
    await applyGoogleSignIn({ ...narrower.tokens, providerAccountId: plain.providerAccountId }, {}, app());

    expect(await replyDetectionState(plain.userId, app())).toBe("needs-permission");
    expect(await getConnection(plain.userId, app())).toMatchObject({ status: "CONNECTED" });
    expect((await sendFirstStep(plain.userId)).status).toBe("SENT");
  });
});

describe("the scheduled check", () => {
  it("reads each due thread once per interval, however often and on however many servers it runs", async () => {
    const threads = [await enrolled(user.userId), await enrolled(user.userId), await enrolled(user.userId)];
    const notOptedIn = await newUser();
    await test.db.user.update({ where: { id: notOptedIn.userId }, data: { replyDetection: false } });
    await enrolled(notOptedIn.userId);
    await google.control.addReply(threads[0]!.threadId, { from: "grace@evergreen.test" });

    const [a, b] = await Promise.all([checkRepliesDue(app()), checkRepliesDue(app())]);
    expect(a.replied + b.replied).toBe(1);
    expect(a.none + b.none).toBe(2);
    expect(await threadReads()).toBe(3);

    expect(await checkRepliesDue(app(REPLY_CHECK_INTERVAL_MS / 2))).toMatchObject({ none: 0, replied: 0 });
    expect(await threadReads()).toBe(3);

    // An interval later the two still active are read again; the replied one and the other user's never.
    expect(await checkRepliesDue(app(REPLY_CHECK_INTERVAL_MS + 60_000))).toMatchObject({ none: 2, replied: 0 });
    expect(await threadReads()).toBe(5);
  });

  it("takes at most `limit`, never-checked and longest-waiting first", async () => {
    const [older, newer] = [await enrolled(user.userId), await enrolled(user.userId)];
    await test.db.sequenceEnrolment.update({
      where: { id: newer.enrolmentId },
      data: { nextReplyCheckAt: new Date(Date.now() - 60_000) },
    });
    expect(await checkRepliesDue(app(), 1)).toMatchObject({ none: 1 });
    expect((await enrolmentRow(older.enrolmentId)).replyCheckedAt).not.toBeNull();
    expect((await enrolmentRow(newer.enrolmentId)).replyCheckedAt).toBeNull();
  });
});
