import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { TWO_STEP_FORM } from "@/test-support/sequence-form";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import { parseSequence } from "./sequence-rules";
import {
  contactEnrolments,
  ENROLMENTS_PAGE_SIZE,
  listEnrolments,
  listSequences,
  sequenceChoices,
  sequenceOverview,
  sequencesWaitingForReconnect,
} from "./sequence-report";
import { createSequence, enrolContacts, markEnrolmentReplied, removeEnrolment, updateSequence } from "./sequences";

// What the sequence pages read: counts, sent and replies per step, versions, the next days' load and the
// enrolments, each for the user's own sequences only.

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;
/** Monday 7 December 2026, 10:00 in Paris: inside the window. */
const NOW = Date.parse("2026-12-07T09:00:00Z");
const DAY = 86_400_000;
const deps = (dailySendLimit = 2000) => ({ ...test.deps, now: () => new Date(NOW), dailySendLimit });

const FORM = TWO_STEP_FORM;

async function connectGmail(owner: string, status: "CONNECTED" | "NEEDS_RECONNECT") {
  await test.db.account.create({
    data: {
      userId: owner,
      type: "oidc",
      provider: "google",
      providerAccountId: randomBytes(6).toString("hex"),
      status,
    },
  });
}

/** A sequence of the owner's with `count` contacts enrolled (named c00, c01, …), and their enrolment ids. */
async function sequenceWith(owner: string, count: number, name = FORM.name) {
  const { id } = await createSequence(owner, parseSequence({ ...FORM, name }), deps());
  const tag = `t${randomBytes(4).toString("hex")}`;
  await test.db.contact.createMany({
    data: Array.from({ length: count }, (_, index) => ({
      userId: owner,
      name: `c${String(index).padStart(2, "0")}`,
      email: `c${String(index).padStart(3, "0")}-${tag}@example.com`,
      searchText: `c${index}`,
    })),
  });
  const contacts = await test.db.contact.findMany({
    where: { userId: owner, email: { endsWith: `-${tag}@example.com` } },
  });
  for (const contact of contacts)
    await test.db.contactTag.create({ data: { contactId: contact.id, userId: owner, key: tag, label: tag } });
  if (count > 0) await enrolContacts(owner, id, { tag }, deps());
  const enrolments = await test.db.sequenceEnrolment.findMany({ where: { sequenceId: id }, orderBy: { email: "asc" } });
  return { id, enrolmentIds: enrolments.map((row) => row.id), contactIds: contacts.map((contact) => contact.id) };
}

async function sentStep(owner: string, enrolmentId: string, step: number, status: "SENT" | "QUEUED" = "SENT") {
  await test.db.message.create({
    data: {
      userId: owner,
      to: ["x@example.com"],
      cc: [],
      bcc: [],
      subject: "Hello",
      text: "First.",
      status,
      idempotencyKey: `sequence-${enrolmentId}-${step}`,
      sequenceEnrolmentId: enrolmentId,
      sequenceStep: step,
    },
  });
}

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

describe("the list", () => {
  it("shows the user's sequences, newest first, with the current version, its steps and the states", async () => {
    const first = await sequenceWith(userId, 3, "First");
    await markEnrolmentReplied(userId, first.enrolmentIds[0]!, deps());
    await removeEnrolment(userId, first.enrolmentIds[1]!, deps());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await sequenceWith(userId, 0, "Second");
    await updateSequence(
      userId,
      second.id,
      parseSequence({ ...FORM, name: "Second", steps: [FORM.steps[0]!] }),
      deps(),
    );
    await sequenceWith(otherUserId, 1, "Someone else's");

    expect(await listSequences(userId, deps())).toEqual([
      expect.objectContaining({
        id: second.id,
        name: "Second",
        currentVersion: 2,
        stepCount: 1,
        counts: { ACTIVE: 0, REPLIED: 0, FINISHED: 0, STOPPED: 0 },
      }),
      expect.objectContaining({
        id: first.id,
        currentVersion: 1,
        stepCount: 2,
        counts: { ACTIVE: 1, REPLIED: 1, FINISHED: 0, STOPPED: 1 },
      }),
    ]);
  });
});

describe("one sequence's report", () => {
  it("is not found for another user, or for an id that names nothing", async () => {
    const theirs = await sequenceWith(otherUserId, 1);
    expect(await sequenceOverview(userId, theirs.id, deps())).toBeNull();
    expect(await sequenceOverview(userId, "../x", deps())).toBeNull();
    expect(await listEnrolments(userId, theirs.id, 1, deps())).toBeNull();
  });

  it("counts each state, the late, and sent and replies per step", async () => {
    await connectGmail(userId, "CONNECTED");
    const {
      id,
      enrolmentIds: [a, b, c, d],
    } = await sequenceWith(userId, 5);
    // a: replied after step 1; b: both steps sent, finished; c: step 1 sent, step 2 late; d: removed; e: new.
    await sentStep(userId, a!, 0);
    await test.db.sequenceEnrolment.update({ where: { id: a! }, data: { step: 1 } });
    await markEnrolmentReplied(userId, a!, deps());
    await sentStep(userId, b!, 0);
    await sentStep(userId, b!, 1);
    await test.db.sequenceEnrolment.update({ where: { id: b! }, data: { step: 2, state: "FINISHED" } });
    await sentStep(userId, c!, 0);
    await sentStep(userId, c!, 1, "QUEUED");
    await test.db.sequenceEnrolment.update({
      where: { id: c! },
      data: { step: 1, lateSince: new Date(NOW - 3 * DAY), nextSendAt: null },
    });
    await removeEnrolment(userId, d!, deps());

    const report = (await sequenceOverview(userId, id, deps()))!;
    expect(report.counts).toEqual({
      enrolled: 5,
      active: 2,
      replied: 1,
      finished: 1,
      stopped: 1,
      waitingForReconnect: 0,
      late: 1,
    });
    expect(report.steps.map(({ position, sent, replies }) => ({ position, sent, replies }))).toEqual([
      { position: 0, sent: 3, replies: 1 },
      { position: 1, sent: 1, replies: 0 },
    ]);
    expect(report.steps[1]!.step).toMatchObject({ body: "Second.", delayDays: 3 });
    expect(report.repliesBeforeFirst).toBe(0);
  });

  it("counts the active enrolments as waiting while Gmail needs reconnecting", async () => {
    await connectGmail(userId, "NEEDS_RECONNECT");
    const { id, enrolmentIds } = await sequenceWith(userId, 3);
    await markEnrolmentReplied(userId, enrolmentIds[0]!, deps());
    expect((await sequenceOverview(userId, id, deps()))!.counts.waitingForReconnect).toBe(2);
    expect(await sequencesWaitingForReconnect(userId, deps())).toEqual([{ id, name: FORM.name, waiting: 2 }]);
  });

  it("lists the versions, newest first, with their active enrolments", async () => {
    const { id } = await sequenceWith(userId, 2);
    await updateSequence(userId, id, parseSequence({ ...FORM, steps: [FORM.steps[0]!] }), deps());
    await test.db.contact.create({ data: { userId, email: "late@example.com", searchText: "late" } });
    await enrolContacts(userId, id, { filter: { query: "late" } }, deps());
    const { versions } = (await sequenceOverview(userId, id, deps()))!;
    expect(versions.map(({ number, stepCount, active }) => ({ number, stepCount, active }))).toEqual([
      { number: 2, stepCount: 1, active: 1 },
      { number: 1, stepCount: 2, active: 2 },
    ]);
  });

  it("forecasts the next seven days in the sequence's zone against bulk mail's share of the daily cap", async () => {
    const { id, enrolmentIds } = await sequenceWith(userId, 4);
    // Two due now (Monday), one on Thursday, one late (waits for the user: not forecast).
    await test.db.sequenceEnrolment.update({
      where: { id: enrolmentIds[2]! },
      data: { dueAt: new Date(NOW + 3 * DAY), nextSendAt: new Date(NOW + 3 * DAY) },
    });
    await test.db.sequenceEnrolment.update({
      where: { id: enrolmentIds[3]! },
      data: { lateSince: new Date(NOW), nextSendAt: null },
    });
    const { forecast } = (await sequenceOverview(userId, id, deps(10)))!;
    // Of a cap of 10: the outbox holds at 9, and leaves 1 of those for one-to-one email.
    expect(forecast).toMatchObject({ dailyLimit: 10, budget: 8 });
    expect(forecast.days.map((day) => `${day.label} ${day.count}`)).toEqual([
      "Mon 7 Dec 2",
      "Tue 8 Dec 0",
      "Wed 9 Dec 0",
      "Thu 10 Dec 1",
      "Fri 11 Dec 0",
      "Sat 12 Dec 0",
      "Sun 13 Dec 0",
    ]);
    const { forecast: tight } = (await sequenceOverview(userId, id, deps(2)))!;
    expect(tight.days[0]).toMatchObject({ count: 2, overBudget: true });
  });
});

describe("the enrolments", () => {
  it("lists them a page of 100 at a time, in the order they joined, with version, step and flags", async () => {
    const { id, enrolmentIds } = await sequenceWith(userId, ENROLMENTS_PAGE_SIZE + 1);
    await test.db.sequenceEnrolment.update({
      where: { id: enrolmentIds[0]! },
      data: { step: 1, lateSince: new Date(NOW), nextSendAt: null },
    });
    await markEnrolmentReplied(userId, enrolmentIds[1]!, deps());
    await test.db.sequenceEnrolment.update({
      where: { id: enrolmentIds[3]! },
      data: { dueAt: new Date("2026-12-12T10:00:00Z") }, // a Saturday
    });

    const first = (await listEnrolments(userId, id, 1, deps()))!;
    expect(first).toMatchObject({ total: ENROLMENTS_PAGE_SIZE + 1, page: 1, pageCount: 2 });
    expect(first.rows).toHaveLength(ENROLMENTS_PAGE_SIZE);
    const late = first.rows.find((row) => row.id === enrolmentIds[0])!;
    expect(late).toMatchObject({ state: "ACTIVE", stepText: "Step 2 of 2", version: 1, late: true, held: false });
    expect(late.contact?.name).toBe("c00");
    const replied = first.rows.find((row) => row.id === enrolmentIds[1])!;
    expect(replied).toMatchObject({
      state: "REPLIED",
      stepText: "Nothing sent",
      repliedAt: new Date(NOW),
      dueAt: null,
    });
    // Enrolled inside the window: the first email is due at once; a late step waits for the user.
    expect(first.rows.find((row) => row.id === enrolmentIds[2])).toMatchObject({
      stepText: "Step 1 of 2",
      dueAt: new Date(NOW),
    });
    // Due on a Saturday: it goes when the window opens on Monday, 9:00 in Paris.
    expect(first.rows.find((row) => row.id === enrolmentIds[3])!.dueAt).toEqual(new Date("2026-12-14T08:00:00Z"));

    expect((await listEnrolments(userId, id, 2, deps()))!.rows).toHaveLength(1);
    // A page past the end shows the last; a nonsense page the first.
    expect((await listEnrolments(userId, id, 99, deps()))!.page).toBe(2);
    expect((await listEnrolments(userId, id, Number.NaN, deps()))!.page).toBe(1);
  });

  it("lists a contact's sequences on its page, and nothing for another user's contact", async () => {
    const { contactIds } = await sequenceWith(userId, 1, "Trial");
    const second = await sequenceWith(userId, 0, "Onboarding");
    await enrolContacts(userId, second.id, { contactIds }, deps());
    expect((await contactEnrolments(userId, contactIds[0]!, deps())).map((row) => row.sequence.name).sort()).toEqual([
      "Onboarding",
      "Trial",
    ]);
    expect(await contactEnrolments(otherUserId, contactIds[0]!, deps())).toEqual([]);
    expect((await sequenceChoices(userId, deps())).map((sequence) => sequence.name)).toEqual(["Onboarding", "Trial"]);
  });

  it("has nothing waiting on the dashboard while Gmail is connected", async () => {
    await connectGmail(userId, "CONNECTED");
    await sequenceWith(userId, 2);
    expect(await sequencesWaitingForReconnect(userId, deps())).toEqual([]);
  });
});
