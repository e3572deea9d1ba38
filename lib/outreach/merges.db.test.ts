import { simpleParser } from "mailparser";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { applyGoogleSignIn, linkGoogleAccount } from "../connection/sign-in";
import { runOutboxOnce } from "../mail/outbox";
import { UNDO_WINDOW_MS } from "../mail/messages";
import {
  cancelMerge,
  MAX_MERGE_RECIPIENTS,
  pauseMerge,
  prepareMerge,
  resumeMerge,
  saveMergeMessage,
  saveTiming,
  setFallback,
  setSkipped,
  startMerge,
} from "./merges";
import { feedMerge, feedMerges } from "./merge-feeder";
import { mergeLedger, mergeProgress, mergeReport } from "./merge-report";
import { MERGE_INTERVAL_MS } from "./merge-schedule";

// A mail merge against the local Google: each recipient gets one message of their own, exactly once,
// at the merge's pace, never to someone who unsubscribed, and never with an empty merge field.

const google = setupEmulator();
const test = setupTestDatabase();
let userId: string;
let otherUserId: string;
let run = 0;
/** The app's clock: moved by the tests, so pacing is checked without waiting. */
let clockMs = Date.now();

function app(): AppDeps {
  return {
    ...test.deps,
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url }),
    now: () => new Date(clockMs),
  };
}

async function addContact(
  owner: string,
  email: string,
  name: string,
  extra: { firstName?: string; company?: string } = {},
) {
  return test.db.contact.create({
    data: {
      userId: owner,
      email,
      name,
      firstName: extra.firstName ?? "",
      company: extra.company ?? "",
      searchText: `${name} ${email}`.toLowerCase(),
    },
  });
}

beforeEach(async () => {
  run += 1;
  clockMs = Date.now();
  userId = (await test.db.user.create({ data: { email: `merge${run}@evergreen.test`, name: "Ada Lovelace" } })).id;
  otherUserId = (await test.db.user.create({ data: { email: `other${run}@evergreen.test` } })).id;
  const { tokens } = await connect(google.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `${DEV_USER.sub}-merge-${run}`,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId,
      type: "oidc",
      provider: "google",
    },
    app(),
  );
});

/** Three contacts, one without a name (so no first name), and a draft merge to them. */
async function draftToThree(
  message = {
    name: "Spring",
    subject: "Hi {{first_name}}",
    body: "Hello {{first_name}} at {{company | your company}}",
  },
) {
  const contacts = [
    await addContact(userId, `grace${run}@example.com`, "Grace Hopper", { company: "Navy" }),
    await addContact(userId, `alan${run}@example.com`, "Alan Turing"),
    await addContact(userId, `anon${run}@example.com`, ""),
  ];
  const { id } = await prepareMerge(
    userId,
    { kind: "selected", contactIds: contacts.map((contact) => contact.id) },
    app(),
  );
  await saveMergeMessage(userId, id, message, app());
  return { id, contacts };
}

/** Moves the clock in steps and runs the feeder and the outbox each step, as the background jobs do. */
async function drive(seconds: number, stepMs = 1_000) {
  for (let elapsed = 0; elapsed < seconds * 1_000; elapsed += stepMs) {
    clockMs += stepMs;
    await feedMerges(app());
    await runOutboxOnce(app());
  }
}

describe("preparing a merge", () => {
  it("freezes the recipients into a ledger, skipping unsubscribed addresses, and ignores another user's contact ids", async () => {
    const mine = await addContact(userId, `mine${run}@example.com`, "Mine");
    const gone = await addContact(userId, `gone${run}@example.com`, "Gone");
    const theirs = await addContact(otherUserId, `theirs${run}@example.com`, "Theirs");
    await test.db.suppression.create({ data: { userId, email: gone.email, unsubscribedAt: new Date() } });

    const { id } = await prepareMerge(userId, { kind: "selected", contactIds: [mine.id, gone.id, theirs.id] }, app());

    const rows = await test.db.mergeRecipient.findMany({ where: { mergeId: id }, orderBy: { position: "asc" } });
    expect(rows.map((row) => [row.email, row.state])).toEqual([
      [gone.email, "SKIPPED"],
      [mine.email, "PENDING"],
    ]);
    const report = await mergeReport(userId, id, app());
    expect(report).toMatchObject({ total: 2, included: 1, excluded: { unsubscribed: 1 } });
    expect(await mergeReport(otherUserId, id, app())).toBeNull();
  });

  it(`refuses more than ${MAX_MERGE_RECIPIENTS.toLocaleString("en")} recipients, naming the limit`, async () => {
    await test.db.contact.createMany({
      data: Array.from({ length: MAX_MERGE_RECIPIENTS + 1 }, (_, i) => ({
        userId,
        email: `bulk${i}@example.com`,
        name: `Bulk ${i}`,
        searchText: `bulk ${i}`,
      })),
    });
    await expect(prepareMerge(userId, { kind: "matching", query: "bulk" }, app())).rejects.toThrow(
      /at most 2,000 recipients; this selection has 2,001/,
    );
    expect(await test.db.merge.count({ where: { userId } })).toBe(0);
  });
});

describe("the report before the start", () => {
  it("names who lacks a field, and the start is refused until a fallback is set or they are skipped", async () => {
    const { id, contacts } = await draftToThree();
    const report = await mergeReport(userId, id, app());
    const firstName = report!.fields.find((field) => field.field === "first_name")!;
    expect(firstName.missing.map((recipient) => recipient.contactId)).toEqual([contacts[2]!.id]);
    // {{company | your company}} has its own fallback: nobody lacks it.
    expect(report!.fields.find((field) => field.field === "company")!.missing).toEqual([]);

    await expect(startMerge(userId, id, app())).rejects.toThrow(/1 recipient has no first name/);
    await setFallback(userId, id, "first_name", "there", app());
    expect(await startMerge(userId, id, app())).toBe("started");
  });

  it("skipping the recipients who lack a field leaves them out, with why", async () => {
    const { id } = await draftToThree();
    const report = await mergeReport(userId, id, app());
    const missing = report!.fields.find((field) => field.field === "first_name")!.missing;
    expect(
      await setSkipped(
        userId,
        id,
        missing.map((recipient) => recipient.recipientId),
        true,
        "no first name",
        app(),
      ),
    ).toBe(1);
    expect(await mergeReport(userId, id, app())).toMatchObject({ included: 2, excluded: { skippedByYou: 1 } });
    // Another user cannot skip rows of this merge.
    await expect(setSkipped(otherUserId, id, [], true, "x", app())).rejects.toThrow();
  });

  it("refuses a fallback that would put a line break in the subject", async () => {
    const { id } = await draftToThree();
    await expect(setFallback(userId, id, "first_name", "there\r\nBcc: x@evil.test", app())).rejects.toThrow(
      /line breaks/,
    );
    await expect(setFallback(userId, id, "constructor", "x", app())).rejects.toThrow(/not known/);
  });
});

describe("sending a merge", () => {
  it("sends each recipient exactly one personalised message, alone in To, with one-click unsubscribe headers", async () => {
    const { id, contacts } = await draftToThree();
    await setFallback(userId, id, "first_name", "there", app());
    // A double click and a second tab: both starts find the same merge, which starts once.
    const starts = await Promise.all([startMerge(userId, id, app()), startMerge(userId, id, app())]);
    expect(starts.sort()).toEqual(["already", "started"]);

    await drive(UNDO_WINDOW_MS / 1_000 + 10);

    const delivered = (await google.control.messages()).filter((message) => message.subject.startsWith("Hi "));
    const mine = delivered.filter((message) => contacts.some((contact) => message.envelope.to.includes(contact.email)));
    expect(mine.map((message) => message.subject).sort()).toEqual(["Hi Alan", "Hi Grace", "Hi there"]);
    for (const message of mine) {
      expect(message.envelope.to).toHaveLength(1);
      // The raw message the local Google received, parsed again: both RFC 8058 headers intact.
      const parsed = await simpleParser(message.raw);
      expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((address) => address.address) : []).toEqual(
        message.envelope.to,
      );
      const listHeaders = parsed.headerLines.filter((line) => line.key.startsWith("list-")).map((line) => line.line);
      expect(listHeaders).toHaveLength(2);
      expect(listHeaders[0]).toMatch(/^List-Unsubscribe: <https?:\/\/[^>]+\/u\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}>$/);
      expect(listHeaders[1]).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    }
    const ledger = await mergeLedger(userId, id, 1, app());
    expect(ledger!.rows.map((row) => row.state)).toEqual(["sent", "sent", "sent"]);
    expect(ledger!.rows.every((row) => row.message?.gmailMessageId)).toBe(true);
    expect(await test.db.merge.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "FINISHED" });

    // Resuming, feeding again or starting again after the end sends nothing more.
    await drive(5);
    expect(await startMerge(userId, id, app())).toBe("already");
    expect(
      (await google.control.messages()).filter((message) =>
        mine.some((m) => m.envelope.to[0] === message.envelope.to[0]),
      ).length,
    ).toBe(3);
  });

  it("feeds at the merge's pace: never the whole list at once, even from several workers at the same moment", async () => {
    const contacts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => addContact(userId, `paced${i}-${run}@example.com`, `Paced ${i}`)),
    );
    const { id } = await prepareMerge(
      userId,
      { kind: "selected", contactIds: contacts.map((contact) => contact.id) },
      app(),
    );
    await saveMergeMessage(userId, id, { name: "Paced", subject: "Hello {{first_name}}", body: "Hi" }, app());
    await startMerge(userId, id, app());

    await Promise.all([feedMerge(id, app()), feedMerge(id, app()), feedMerge(id, app())]);
    const queued = await test.db.message.count({ where: { mergeId: id } });
    // The slots of the next second (lead) and the last second: a handful, not 30.
    expect(queued).toBeGreaterThan(0);
    expect(queued).toBeLessThanOrEqual(Math.ceil((2 * 1_000) / MERGE_INTERVAL_MS) + 1);

    clockMs += 10_000;
    await feedMerge(id, app());
    const after = await test.db.message.count({ where: { mergeId: id } });
    // Ten seconds later about 20 more slots have come, not all 30 at once.
    expect(after - queued).toBeLessThanOrEqual(Math.ceil(12_000 / MERGE_INTERVAL_MS) + 1);
    const keys = await test.db.message.findMany({ where: { mergeId: id }, select: { to: true } });
    expect(new Set(keys.map((row) => (row.to as string[])[0])).size).toBe(keys.length);
  });

  it("skips an address that unsubscribed after the merge started", async () => {
    const { id, contacts } = await draftToThree();
    await setFallback(userId, id, "first_name", "there", app());
    await startMerge(userId, id, app());
    await test.db.suppression.create({ data: { userId, email: contacts[1]!.email, unsubscribedAt: new Date() } });
    await drive(4);
    const alan = await test.db.mergeRecipient.findFirstOrThrow({ where: { mergeId: id, email: contacts[1]!.email } });
    expect(alan).toMatchObject({ state: "SKIPPED", messageId: null });
    expect(alan.skipReason).toMatch(/^Unsubscribed/);
  });

  it("holds while Gmail needs reconnecting, then goes on at its pace, not the backlog at once", async () => {
    const contacts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => addContact(userId, `wait${i}-${run}@example.com`, `Wait ${i}`)),
    );
    const { id } = await prepareMerge(
      userId,
      { kind: "selected", contactIds: contacts.map((contact) => contact.id) },
      app(),
    );
    await saveMergeMessage(userId, id, { name: "Wait", subject: "Hi {{first_name}}", body: "Hi" }, app());
    await startMerge(userId, id, app());
    await test.db.account.updateMany({
      where: { userId },
      data: { status: "NEEDS_RECONNECT", statusReason: "REVOKED" },
    });

    clockMs += 60_000;
    expect(await feedMerge(id, app())).toMatchObject({ queued: 0, held: true });
    expect((await mergeProgress(userId, id, app()))!.waitingForReconnect).toBe(true);

    // Ten minutes later Gmail is reconnected: the merge does not make up for lost time.
    clockMs += 10 * 60_000;
    await test.db.account.updateMany({ where: { userId }, data: { status: "CONNECTED", statusReason: null } });
    await feedMerge(id, app());
    expect(await test.db.message.count({ where: { mergeId: id } })).toBeLessThanOrEqual(5);
  });

  it("messages handed to the outbox before access ended resume after the reconnect one by one, at the merge's pace", async () => {
    const contacts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => addContact(userId, `held${i}-${run}@example.com`, `Held ${i}`)),
    );
    const { id } = await prepareMerge(
      userId,
      { kind: "selected", contactIds: contacts.map((contact) => contact.id) },
      app(),
    );
    await saveMergeMessage(userId, id, { name: "Held", subject: "Hi {{first_name}}", body: "Hi" }, app());
    await startMerge(userId, id, app());
    // Access removed at Google: Evergreen learns it from the first send, after the feeder queued more.
    await google.control.revokeAccess(DEV_USER.email);
    await test.db.account.updateMany({ where: { userId }, data: { expires_at: 0 } });
    await drive(2);
    const waiting = await test.db.message.findMany({ where: { mergeId: id, status: "WAITING_FOR_RECONNECT" } });
    expect(waiting.length).toBeGreaterThanOrEqual(2);

    const { tokens } = await connect(google.url, { prompt: "consent" });
    const account = await test.db.account.findFirstOrThrow({ where: { userId } });
    const reconnectedAt = clockMs;
    await applyGoogleSignIn(
      {
        ...tokens,
        providerAccountId: account.providerAccountId,
        expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      },
      {},
      app(),
    );
    const resumed = await test.db.message.findMany({
      where: { id: { in: waiting.map((message) => message.id) } },
      orderBy: { nextAttemptAt: "asc" },
    });
    const times = resumed.map((message) => message.nextAttemptAt!.getTime());
    expect(resumed.every((message) => message.status === "QUEUED")).toBe(true);
    expect(times[0]).toBeGreaterThan(reconnectedAt);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(MERGE_INTERVAL_MS);
    // The merge feeds its next recipient only after them.
    const merge = await test.db.merge.findUniqueOrThrow({ where: { id } });
    expect(merge.nextSendAt!.getTime()).toBe(times.at(-1)! + MERGE_INTERVAL_MS);

    // In quarter-second steps, so each send's start shows when it was due.
    await drive(10, 250);
    expect(await test.db.message.count({ where: { mergeId: id, status: "SENT" } })).toBe(8);
    const sent = await test.db.message.findMany({ where: { mergeId: id }, orderBy: { sendStartedAt: "asc" } });
    const starts = sent.map((message) => message.sendStartedAt!.getTime());
    for (let i = 1; i < starts.length; i++)
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(MERGE_INTERVAL_MS);
  });

  it("pause stops the handing over, resume goes on, cancel skips the rest; another user's id changes nothing", async () => {
    const { id } = await draftToThree();
    await setFallback(userId, id, "first_name", "there", app());
    await startMerge(userId, id, app());
    expect(await pauseMerge(otherUserId, id, app())).toBe(false);
    expect(await pauseMerge(userId, id, app())).toBe(true);
    clockMs += 5_000;
    expect(await feedMerge(id, app())).toMatchObject({ queued: 0 });
    expect(await resumeMerge(userId, id, app())).toBe(true);
    expect(await cancelMerge(otherUserId, id, app())).toBe(false);
    expect(await cancelMerge(userId, id, app())).toBe(true);
    const states = await test.db.mergeRecipient.findMany({ where: { mergeId: id }, select: { state: true } });
    expect(states.every((row) => row.state === "SKIPPED")).toBe(true);
  });

  it("waits for its send window, in the sender's time zone", async () => {
    const { id } = await draftToThree();
    await setFallback(userId, id, "first_name", "there", app());
    // A window that is closed now: the one hour of the week that is not the current one.
    const now = new Date(clockMs);
    const closedDay = (now.getUTCDay() + 3) % 7;
    await saveTiming(
      userId,
      id,
      { startAt: null, window: { days: 1 << closedDay, startMinute: 9 * 60, endMinute: 10 * 60, timeZone: "UTC" } },
      app(),
    );
    await startMerge(userId, id, app());
    clockMs += 1_000;
    expect(await feedMerge(id, app())).toMatchObject({ queued: 0, held: true });
    const merge = await test.db.merge.findUniqueOrThrow({ where: { id } });
    expect(merge.nextSendAt!.getUTCDay()).toBe(closedDay);
    expect(merge.nextSendAt!.getUTCHours()).toBe(9);
  });
});
