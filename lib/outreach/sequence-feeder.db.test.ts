import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect, EVERGREEN_SCOPES } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { GMAIL_METADATA_SCOPE } from "../google/oauth";
import { applyGoogleSignIn, linkGoogleAccount } from "../connection/sign-in";
import { getAccessToken } from "../connection/tokens";
import { runOutboxOnce } from "../mail/outbox";
import { checkRepliesDue } from "./reply-detection";
import { feedSequences } from "./sequence-feeder";
import { parseSequence, type SequenceFormValues } from "./sequence-rules";
import { createSequence, decideLateStep, enrolContacts, updateSequence } from "./sequences";

// Sequences through weeks, against the local Google with its clock and the app's moved together: the
// feeder, the outbox and the reply check run as the server's jobs do, an hour of both clocks at a time.

const google = setupEmulator();
const test = setupTestDatabase();
const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

let offsetMs = 0;
let n = 0;

function app(): AppDeps {
  return {
    ...test.deps,
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
    now: () => new Date(Date.now() + offsetMs),
    replyDetection: "metadata",
  };
}
const now = () => Date.now() + offsetMs;

/** Moves both clocks (the app's and the local Google's) forward. */
async function advance(ms: number) {
  offsetMs += ms;
  await google.control.advanceClock(ms / 1000);
}

/** Both clocks to the next Monday, 00:00 UTC (so weekdays and windows in the test are known). */
async function toNextMonday() {
  const at = new Date(now());
  const daysAhead = (8 - at.getUTCDay()) % 7 || 7;
  const monday = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + daysAhead);
  await advance(monday - now());
}

/**
 * The server's jobs, in the order background-jobs.ts runs them, after `step` of both clocks. Two hours
 * is fine enough for a 9:00–17:00 window in whole-hour zones, and halves a three-week run's cost.
 */
async function runHour(step = HOUR) {
  await advance(step);
  await checkRepliesDue(app(), 100);
  await feedSequences(app());
  await runOutboxOnce(app());
}

async function runFor(ms: number) {
  for (let spent = 0; spent < ms; spent += 2 * HOUR) await runHour(2 * HOUR);
}

async function newUser(scopes: string[] = [...EVERGREEN_SCOPES, GMAIL_METADATA_SCOPE]) {
  n += 1;
  const user = await test.db.user.create({
    data: { email: `seq${n}@evergreen.test`, name: "Ada Lovelace", replyDetection: true },
  });
  await connectUser(user.id, scopes);
  return user.id;
}

async function connectUser(userId: string, scopes: string[] = [...EVERGREEN_SCOPES, GMAIL_METADATA_SCOPE]) {
  const { tokens } = await connect(google.url, { prompt: "consent", scopes });
  const signIn = {
    ...tokens,
    providerAccountId: `${DEV_USER.sub}-seq-${userId}`,
    expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
  };
  // The first time links the account; later it is a reconnect, as Auth.js's sign-in makes it.
  if (await test.db.account.count({ where: { userId } })) await applyGoogleSignIn(signIn, {}, app());
  else await linkGoogleAccount({ ...signIn, userId, type: "oidc", provider: "google" }, app());
}

const form = (overrides: Partial<SequenceFormValues> = {}): SequenceFormValues => ({
  name: "Trial follow-up",
  timeZone: "UTC",
  days: ["1", "2", "3", "4", "5"],
  from: "9:00",
  to: "17:00",
  steps: [
    { subject: "Your trial, {{first_name}}", body: "Hi {{first_name}}, welcome.", delay: "", business: "" },
    { subject: "", body: "Hi {{first_name}}, any questions?", delay: "2", business: "on" },
    { subject: "", body: "Hi {{first_name}}, last note from me.", delay: "3", business: "on" },
  ],
  ...overrides,
});

async function contact(userId: string, email: string, name: string, timeZone = "") {
  return test.db.contact.create({
    data: { userId, email, name, timeZone, searchText: `${name} ${email}`.toLowerCase() },
  });
}

const stepsSentTo = (email: string) =>
  test.db.message.findMany({
    where: { sequenceEnrolment: { email } },
    orderBy: { sequenceStep: "asc" },
  });

const localParts = (at: Date, timeZone: string) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "numeric", hourCycle: "h23" })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return { weekday: parts.weekday!, hour: Number(parts.hour) };
};

// Both clocks only move forward (the local Google keeps grants and tokens by its time): each test
// starts on the Monday after the one before ended.
beforeEach(async () => {
  await toNextMonday();
});

describe("a three-step sequence over three weeks", () => {
  it(
    "stops for the contact who replied, sends the other steps 2 and 3 in one thread, inside their window, never on a weekend; an auto-reply does not stop it",
    { timeout: 120_000 },
    async () => {
      const userId = await newUser();
      const sequence = await createSequence(userId, parseSequence(form()), app());
      const ny = await contact(userId, "nia@example.com", "Nia Ortiz", "America/New_York");
      const tokyo = await contact(userId, "kenji@example.com", "Kenji Sato", "Asia/Tokyo");
      // Enrolled on Friday evening UTC: Tokyo is already in its weekend, New York is still in Friday.
      await advance(4 * DAY + 20 * HOUR);
      expect(await enrolContacts(userId, sequence.id, { contactIds: [ny.id, tokyo.id] }, app())).toMatchObject({
        enrolled: 2,
      });

      // Until both have their first email.
      for (let hours = 0; hours < 96 && (await stepsSentTo(tokyo.email)).length === 0; hours += 1) await runHour();
      const [nyFirst] = await stepsSentTo(ny.email);
      const [tokyoFirst] = await stepsSentTo(tokyo.email);
      expect(nyFirst).toMatchObject({ status: "SENT", subject: "Your trial, Nia" });
      expect(tokyoFirst).toMatchObject({ status: "SENT", subject: "Your trial, Kenji" });

      // Nia replies; Kenji's out-of-office answers for him.
      await google.control.addReply(nyFirst!.gmailThreadId!, { from: ny.email, text: "Thanks, let's talk" });
      await google.control.addAutoReply(tokyoFirst!.gmailThreadId!, { from: tokyo.email, kind: "auto-submitted" });

      await runFor(20 * DAY);

      expect(await stepsSentTo(ny.email)).toHaveLength(1);
      const nyEnrolment = await test.db.sequenceEnrolment.findFirstOrThrow({ where: { email: ny.email } });
      expect(nyEnrolment).toMatchObject({ state: "REPLIED", step: 1 });
      expect(nyEnrolment.repliedAt).not.toBeNull();

      const kenji = await stepsSentTo(tokyo.email);
      expect(kenji.map((message) => [message.sequenceStep, message.status])).toEqual([
        [0, "SENT"],
        [1, "SENT"],
        [2, "SENT"],
      ]);
      expect(kenji.map((message) => message.subject)).toEqual([
        "Your trial, Kenji",
        "Re: Your trial, Kenji",
        "Re: Your trial, Kenji",
      ]);
      expect(new Set(kenji.map((message) => message.gmailThreadId)).size).toBe(1);
      const atGoogle = (await google.control.messages()).filter((message) => message.envelope.to.includes(tokyo.email));
      expect(new Set(atGoogle.map((message) => message.threadId))).toEqual(new Set([kenji[0]!.gmailThreadId]));
      expect(kenji[2]!.references).toBe(`${kenji[0]!.rfc822MessageId} ${kenji[1]!.rfc822MessageId}`);
      for (const message of [...kenji, nyFirst!]) {
        const zone = message.to && (message.to as string[])[0] === tokyo.email ? "Asia/Tokyo" : "America/New_York";
        const local = localParts(message.sentAt!, zone);
        expect(["Sat", "Sun"]).not.toContain(local.weekday);
        expect(local.hour).toBeGreaterThanOrEqual(9);
        expect(local.hour).toBeLessThan(17);
      }
      // Two business days (in Tokyo) between step 1 and step 2 at least, three between 2 and 3.
      expect(kenji[1]!.sentAt!.getTime() - kenji[0]!.sentAt!.getTime()).toBeGreaterThanOrEqual(2 * DAY);
      expect(kenji[2]!.sentAt!.getTime() - kenji[1]!.sentAt!.getTime()).toBeGreaterThanOrEqual(3 * DAY);
      expect(await test.db.sequenceEnrolment.findFirstOrThrow({ where: { email: tokyo.email } })).toMatchObject({
        state: "FINISHED",
        step: 3,
      });
    },
  );
});

const allHours = (overrides: Partial<SequenceFormValues> = {}) =>
  form({ days: ["0", "1", "2", "3", "4", "5", "6"], from: "0:00", to: "24:00", ...overrides });

describe("when Gmail access ends mid-sequence", () => {
  it(
    "waits, and after the reconnect resumes with the wait that was left, counted from the resume",
    { timeout: 60_000 },
    async () => {
      const userId = await newUser();
      const sequence = await createSequence(userId, parseSequence(allHours()), app());
      const hedy = await contact(userId, "hedy@example.com", "Hedy Lamarr");
      await enrolContacts(userId, sequence.id, { contactIds: [hedy.id] }, app());
      await runHour();
      const [first] = await stepsSentTo(hedy.email);
      expect(first).toMatchObject({ status: "SENT" });

      // A day after step 1 the user removes access at Google; Evergreen finds out at its next token use.
      await runFor(DAY);
      await google.control.revokeAccess(DEV_USER.email);
      await advance(HOUR);
      await getAccessToken(userId, app()).catch(() => undefined);
      const account = await test.db.account.findFirstOrThrow({ where: { userId } });
      expect(account.status).toBe("NEEDS_RECONNECT");
      const revokedAt = account.statusChangedAt.getTime();
      const due = (await test.db.sequenceEnrolment.findFirstOrThrow({ where: { email: hedy.email } })).dueAt!;

      // A day and a half without Gmail: step 2 (due two days after step 1) holds past its time.
      await runFor(36 * HOUR);
      expect(await stepsSentTo(hedy.email)).toHaveLength(1);
      expect(await test.db.sequenceEnrolment.findFirstOrThrow({ where: { email: hedy.email } })).toMatchObject({
        state: "ACTIVE",
        nextSendAt: null,
        heldSince: new Date(revokedAt),
      });

      await connectUser(userId);
      const reconnectedAt = now();
      await runFor(2 * DAY);
      const [, second] = await stepsSentTo(hedy.email);
      expect(second).toMatchObject({ status: "SENT", sequenceStep: 1 });
      // The wait left when access ended, from the reconnect (the jobs run every two hours here: the
      // resume and the send may each wait for the next run).
      const expected = reconnectedAt + (due.getTime() - revokedAt);
      expect(second!.sentAt!.getTime()).toBeGreaterThanOrEqual(expected);
      expect(second!.sentAt!.getTime()).toBeLessThan(expected + 4 * HOUR + 10_000);
    },
  );

  it(
    "asks before sending a step more than two days late: Send now sends it, Skip goes on",
    { timeout: 60_000 },
    async () => {
      const userId = await newUser();
      const sequence = await createSequence(userId, parseSequence(allHours()), app());
      const grace = await contact(userId, "grace@example.com", "Grace Hopper");
      const alan = await contact(userId, "alan@example.com", "Alan Turing");
      await enrolContacts(userId, sequence.id, { contactIds: [grace.id, alan.id] }, app());
      await runFor(6 * HOUR);
      // The server was down for five days: step 2 was due three days ago.
      await advance(5 * DAY);
      await runFor(6 * HOUR);
      const late = await test.db.sequenceEnrolment.findMany({
        where: { sequenceId: sequence.id },
        orderBy: { email: "asc" },
      });
      expect(late.map((row) => [row.email, row.step, row.lateSince !== null, row.nextSendAt])).toEqual([
        [alan.email, 1, true, null],
        [grace.email, 1, true, null],
      ]);
      expect(await stepsSentTo(grace.email)).toHaveLength(1);

      expect(await decideLateStep(userId, late[1]!.id, "send", app())).toBe(true);
      expect(await decideLateStep(userId, late[0]!.id, "skip", app())).toBe(true);
      // Decided once: a second click (or another tab) changes nothing.
      expect(await decideLateStep(userId, late[0]!.id, "skip", app())).toBe(false);
      await runHour();
      expect(await stepsSentTo(grace.email)).toHaveLength(2);
      expect(await stepsSentTo(alan.email)).toHaveLength(1);
      const skipped = await test.db.sequenceEnrolment.findUniqueOrThrow({ where: { id: late[0]!.id } });
      // Step 3 comes its three business days after the skip, not at once.
      expect(skipped).toMatchObject({ step: 2, lateSince: null, state: "ACTIVE" });
      expect(skipped.nextSendAt!.getTime()).toBeGreaterThanOrEqual(now() - HOUR + 3 * DAY);
    },
  );
});

describe("versions", () => {
  it(
    "keeps enrolled contacts on the version they joined; new enrolments get the new one",
    { timeout: 60_000 },
    async () => {
      const userId = await newUser();
      const sequence = await createSequence(userId, parseSequence(allHours()), app());
      const early = await contact(userId, "early@example.com", "Early Bird");
      await enrolContacts(userId, sequence.id, { contactIds: [early.id] }, app());
      const edited = allHours();
      edited.steps[1]!.body = "Hi {{first_name}}, version two asks differently.";
      expect(await updateSequence(userId, sequence.id, parseSequence(edited), app())).toEqual({
        version: 2,
        newVersion: true,
      });
      const late = await contact(userId, "late@example.com", "Late Comer");
      await enrolContacts(userId, sequence.id, { contactIds: [late.id] }, app());
      await runFor(3 * DAY);
      expect((await stepsSentTo(early.email))[1]!.text).toMatch(/^Hi Early, any questions\?/);
      expect((await stepsSentTo(late.email))[1]!.text).toMatch(/^Hi Late, version two asks differently\./);
    },
  );
});

describe("without gmail.metadata", () => {
  it(
    "Google refuses threads.get, nothing stops by itself, and a reply must be marked by hand",
    { timeout: 60_000 },
    async () => {
      const userId = await newUser([...EVERGREEN_SCOPES]);
      const sequence = await createSequence(userId, parseSequence(allHours()), app());
      const lin = await contact(userId, "lin@example.com", "Lin Wei");
      await enrolContacts(userId, sequence.id, { contactIds: [lin.id] }, app());
      await runHour();
      const [first] = await stepsSentTo(lin.email);
      await google.control.addReply(first!.gmailThreadId!, { from: lin.email });
      await runFor(3 * DAY);
      expect(await stepsSentTo(lin.email)).toHaveLength(2);
      expect(await test.db.sequenceEnrolment.findFirstOrThrow({ where: { email: lin.email } })).toMatchObject({
        state: "ACTIVE",
      });
    },
  );
});

describe("stops written before the next step", () => {
  it(
    "an unsubscribe or a deleted contact ends the enrolment, and a bounce marks the step failed",
    { timeout: 60_000 },
    async () => {
      const userId = await newUser();
      const sequence = await createSequence(userId, parseSequence(allHours()), app());
      const [a, b, c] = await Promise.all([
        contact(userId, "a@example.com", "Ann Able"),
        contact(userId, "b@example.com", "Ben Baker"),
        contact(userId, "c@example.com", "Cy Carter"),
      ]);
      await enrolContacts(userId, sequence.id, { contactIds: [a.id, b.id, c.id] }, app());
      await runHour();
      await test.db.suppression.create({ data: { userId, email: a.email, unsubscribedAt: new Date(now()) } });
      await test.db.contact.delete({ where: { id: b.id } });
      const [cFirst] = await stepsSentTo(c.email);
      await google.control.addBounce(cFirst!.gmailThreadId!, { recipient: c.email });
      await runFor(3 * DAY);
      const states = await test.db.sequenceEnrolment.findMany({
        orderBy: { email: "asc" },
        where: { sequenceId: sequence.id },
      });
      expect(states.map((row) => [row.email, row.state, row.stopReason])).toEqual([
        [a.email, "STOPPED", expect.stringMatching(/^Unsubscribed on/)],
        [b.email, "STOPPED", "The contact was deleted"],
        [c.email, "STOPPED", expect.stringMatching(/bounced/)],
      ]);
      for (const email of [a.email, b.email, c.email]) expect(await stepsSentTo(email)).toHaveLength(1);
    },
  );
});
