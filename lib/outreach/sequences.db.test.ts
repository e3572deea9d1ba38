import { beforeEach, describe, expect, it } from "vitest";
import { TWO_STEP_FORM } from "@/test-support/sequence-form";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import { UserError } from "../platform/errors";
import { parseSequence, type SequenceFormValues } from "./sequence-rules";
import {
  createSequence,
  decideLateStep,
  enrolContacts,
  markContactReplied,
  markEnrolmentReplied,
  moveToCurrentVersion,
  readEnrolTarget,
  removeEnrolment,
  updateSequence,
} from "./sequences";

// The writes of a sequence outside the feeder: versions on edit, enrolment (never the unsubscribed,
// never twice), the user's decisions on one enrolment, moving on; another user's ids change nothing.

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;
/** The app's clock: Monday 7 December 2026, 10:00 in Paris. */
let clockMs: number;
const deps = () => ({ ...test.deps, now: () => new Date(clockMs) });

const FORM = TWO_STEP_FORM;
const input = (changes: Partial<SequenceFormValues> = {}) => parseSequence({ ...FORM, ...changes });

async function addContact(owner: string, email: string, tag?: string) {
  return test.db.contact.create({
    data: {
      userId: owner,
      email,
      name: email.split("@")[0]!,
      searchText: email,
      ...(tag ? { tags: { create: { userId: owner, key: tag, label: tag } } } : {}),
    },
  });
}

const enrolmentsOf = (sequenceId: string) =>
  test.db.sequenceEnrolment.findMany({
    where: { sequenceId },
    orderBy: { email: "asc" },
    include: { version: { select: { number: true } } },
  });

beforeEach(async () => {
  clockMs = Date.parse("2026-12-07T09:00:00Z");
  ({ userId, otherUserId } = await createTwoUsers(test.db));
});

describe("editing makes versions", () => {
  it("keeps version 1 when only the name and window change, and makes version 2 when a step does", async () => {
    const { id } = await createSequence(userId, input(), deps());
    expect(await updateSequence(userId, id, input({ name: "Renamed", to: "18:00" }), deps())).toEqual({
      version: 1,
      newVersion: false,
    });
    expect(await test.db.sequence.findUniqueOrThrow({ where: { id } })).toMatchObject({
      name: "Renamed",
      windowEndMinute: 18 * 60,
      currentVersion: 1,
    });

    const steps = [...FORM.steps, { subject: "", body: "Third.", delay: "5", business: "" }];
    expect(await updateSequence(userId, id, input({ steps }), deps())).toEqual({ version: 2, newVersion: true });
    const versions = await test.db.sequenceVersion.findMany({
      where: { sequenceId: id },
      orderBy: { number: "asc" },
      include: { steps: { orderBy: { position: "asc" } } },
    });
    expect(versions.map((version) => version.steps.length)).toEqual([2, 3]);
    expect(versions[1]!.steps[2]).toMatchObject({ body: "Third.", delayDays: 5, businessDays: false });
  });

  it("leaves enrolled contacts on their version; new enrolments join the newest", async () => {
    const { id } = await createSequence(userId, input(), deps());
    await addContact(userId, "ada@example.com");
    await enrolContacts(userId, id, { filter: {} }, deps());
    await updateSequence(userId, id, input({ steps: [FORM.steps[0]!] }), deps());
    await addContact(userId, "grace@example.com");
    await enrolContacts(userId, id, { filter: {} }, deps());
    expect((await enrolmentsOf(id)).map((row) => [row.email, row.version.number])).toEqual([
      ["ada@example.com", 1],
      ["grace@example.com", 2],
    ]);
  });

  it("refuses another user's sequence, as one that does not exist", async () => {
    const { id } = await createSequence(otherUserId, input(), deps());
    await expect(updateSequence(userId, id, input({ name: "Mine now" }), deps())).rejects.toThrow(UserError);
    await expect(updateSequence(userId, "no-such-id", input(), deps())).rejects.toThrow(
      "That sequence no longer exists.",
    );
    expect((await test.db.sequence.findUniqueOrThrow({ where: { id } })).name).toBe("Trial follow-up");
  });
});

describe("enrolling", () => {
  it("skips unsubscribed addresses and contacts already in the sequence, and says how many of each", async () => {
    const { id } = await createSequence(userId, input(), deps());
    const ada = await addContact(userId, "ada@example.com", "trial");
    const grace = await addContact(userId, "grace@example.com", "trial");
    const alan = await addContact(userId, "alan@example.com", "trial");
    await test.db.suppression.create({ data: { userId, email: alan.email, unsubscribedAt: new Date() } });

    expect(await enrolContacts(userId, id, { contactIds: [ada.id] }, deps())).toEqual({
      enrolled: 1,
      alreadyEnrolled: 0,
      unsubscribed: 0,
    });
    expect(await enrolContacts(userId, id, { tag: "trial" }, deps())).toEqual({
      enrolled: 1,
      alreadyEnrolled: 1,
      unsubscribed: 1,
    });
    const rows = await enrolmentsOf(id);
    expect(rows.map((row) => row.contactId)).toEqual([ada.id, grace.id]);
    expect(rows[0]).toMatchObject({
      state: "ACTIVE",
      step: 0,
      dueAt: new Date(clockMs),
      nextSendAt: new Date(clockMs),
    });
  });

  it("enrols everyone a search matches, and refuses an empty tag or a tag no contact has at the tag field", async () => {
    const { id } = await createSequence(userId, input(), deps());
    await addContact(userId, "ada@example.com");
    await addContact(userId, "grace@example.com");
    expect((await enrolContacts(userId, id, { filter: { query: "grace" } }, deps())).enrolled).toBe(1);
    await expect(enrolContacts(userId, id, { tag: " " }, deps())).rejects.toMatchObject({ field: "tag" });
    await expect(enrolContacts(userId, id, { tag: "nobody" }, deps())).rejects.toMatchObject({ field: "tag" });
  });

  it("ignores another user's contacts, and refuses another user's sequence", async () => {
    const mine = await createSequence(userId, input(), deps());
    const theirs = await createSequence(otherUserId, input(), deps());
    const theirContact = await addContact(otherUserId, "mallory@example.com");
    const myContact = await addContact(userId, "ada@example.com");
    await expect(enrolContacts(userId, mine.id, { contactIds: [theirContact.id] }, deps())).rejects.toThrow(
      "Select at least one contact to enrol.",
    );
    await expect(enrolContacts(userId, theirs.id, { contactIds: [myContact.id] }, deps())).rejects.toThrow(
      "That sequence no longer exists.",
    );
    expect(await test.db.sequenceEnrolment.count({ where: { sequenceId: { in: [mine.id, theirs.id] } } })).toBe(0);
  });

  it("reads the three forms' targets", () => {
    const form = (fields: Array<[string, string]>) => {
      const data = new FormData();
      for (const [name, value] of fields) data.append(name, value);
      return data;
    };
    expect(
      readEnrolTarget(
        form([
          ["contactId", "a"],
          ["contactId", "b"],
        ]),
      ),
    ).toEqual({ contactIds: ["a", "b"] });
    expect(readEnrolTarget(form([["tag", "trial"]]))).toEqual({ tag: "trial" });
    expect(
      readEnrolTarget(
        form([
          ["scope", "matching"],
          ["q", "ada"],
          ["tag", ""],
        ]),
      ),
    ).toEqual({ filter: { query: "ada", tag: "" } });
  });
});

describe("the user's decisions on an enrolment", () => {
  async function enrolled(owner = userId) {
    const { id } = await createSequence(owner, input(), deps());
    const contact = await addContact(owner, `c${Math.random().toString(36).slice(2)}@example.com`);
    await enrolContacts(owner, id, { contactIds: [contact.id] }, deps());
    const enrolment = await test.db.sequenceEnrolment.findFirstOrThrow({ where: { sequenceId: id } });
    return { sequenceId: id, contactId: contact.id, enrolmentId: enrolment.id };
  }
  const stateOf = (id: string) => test.db.sequenceEnrolment.findUniqueOrThrow({ where: { id } });

  it("marks an enrolment as replied once, and not another user's", async () => {
    const mine = await enrolled();
    const theirs = await enrolled(otherUserId);
    expect(await markEnrolmentReplied(userId, theirs.enrolmentId, deps())).toBe(false);
    expect((await stateOf(theirs.enrolmentId)).state).toBe("ACTIVE");
    expect(await markEnrolmentReplied(userId, mine.enrolmentId, deps())).toBe(true);
    expect(await stateOf(mine.enrolmentId)).toMatchObject({
      state: "REPLIED",
      repliedAt: new Date(clockMs),
      stopReason: "Marked as replied",
      nextSendAt: null,
    });
    expect(await markEnrolmentReplied(userId, mine.enrolmentId, deps())).toBe(false);
  });

  it("marks a contact as replied in every sequence it is in, and not another user's contact", async () => {
    const first = await enrolled();
    const second = await createSequence(userId, input({ name: "Second" }), deps());
    await enrolContacts(userId, second.id, { contactIds: [first.contactId] }, deps());
    const theirs = await enrolled(otherUserId);
    expect(await markContactReplied(userId, theirs.contactId, deps())).toBe(0);
    expect(await markContactReplied(userId, first.contactId, deps())).toBe(2);
    expect(await markContactReplied(userId, first.contactId, deps())).toBe(0);
  });

  it("removes an active enrolment, and not another user's", async () => {
    const mine = await enrolled();
    const theirs = await enrolled(otherUserId);
    expect(await removeEnrolment(userId, theirs.enrolmentId, deps())).toBe(false);
    expect(await removeEnrolment(userId, mine.enrolmentId, deps())).toBe(true);
    expect(await stateOf(mine.enrolmentId)).toMatchObject({ state: "STOPPED", stopReason: "Removed by you" });
    expect(await removeEnrolment(userId, mine.enrolmentId, deps())).toBe(false);
  });

  it("decides a late step: send now, skip to the next step with its wait from now, or finish after the last", async () => {
    const { enrolmentId } = await enrolled();
    const late = { lateSince: new Date(clockMs - 3 * 86_400_000), nextSendAt: null };
    expect(await decideLateStep(userId, enrolmentId, "send", deps())).toBe(false); // not late
    await test.db.sequenceEnrolment.update({ where: { id: enrolmentId }, data: late });
    expect(await decideLateStep(otherUserId, enrolmentId, "send", deps())).toBe(false);
    expect(await decideLateStep(userId, enrolmentId, "send", deps())).toBe(true);
    expect(await stateOf(enrolmentId)).toMatchObject({ lateSince: null, nextSendAt: new Date(clockMs) });

    // Step 2 of 2 late: skipping it finishes the sequence.
    await test.db.sequenceEnrolment.update({ where: { id: enrolmentId }, data: { ...late, step: 1 } });
    expect(await decideLateStep(userId, enrolmentId, "skip", deps())).toBe(true);
    expect(await stateOf(enrolmentId)).toMatchObject({ state: "FINISHED", step: 2, lateSince: null });
  });

  it("skips a late follow-up to the next, due its wait after now in business days and inside the window", async () => {
    const { id } = await createSequence(
      userId,
      input({ steps: [...FORM.steps, { subject: "", body: "Third.", delay: "1", business: "on" }] }),
      deps(),
    );
    const contact = await addContact(userId, "ada@example.com");
    await enrolContacts(userId, id, { contactIds: [contact.id] }, deps());
    const enrolment = await test.db.sequenceEnrolment.findFirstOrThrow({ where: { sequenceId: id } });
    await test.db.sequenceEnrolment.update({
      where: { id: enrolment.id },
      data: { step: 1, lateSince: new Date(clockMs), nextSendAt: null },
    });
    clockMs = Date.parse("2026-12-11T18:00:00Z"); // Friday 19:00 in Paris
    expect(await decideLateStep(userId, enrolment.id, "skip", deps())).toBe(true);
    // One business day after Friday evening is Monday evening, after the window: Tuesday 9:00 in Paris.
    expect(await stateOf(enrolment.id)).toMatchObject({
      step: 2,
      state: "ACTIVE",
      dueAt: new Date("2026-12-15T08:00:00Z"),
      nextSendAt: new Date("2026-12-15T08:00:00Z"),
    });
  });

  it("takes the contact out when the late step is the first email: the follow-ups need its thread", async () => {
    const { enrolmentId } = await enrolled();
    await test.db.sequenceEnrolment.update({
      where: { id: enrolmentId },
      data: { lateSince: new Date(clockMs), nextSendAt: null },
    });
    expect(await decideLateStep(userId, enrolmentId, "skip", deps())).toBe(true);
    expect(await stateOf(enrolmentId)).toMatchObject({ state: "STOPPED", stopReason: "First email skipped by you" });
  });
});

describe("moving on to the newest version", () => {
  it("moves one enrolment or all, keeping their place; one past the new last step is finished", async () => {
    const steps3 = [...FORM.steps, { subject: "", body: "Third.", delay: "2", business: "on" }];
    const { id } = await createSequence(userId, input({ steps: steps3 }), deps());
    for (const email of ["ada@example.com", "grace@example.com", "alan@example.com"]) await addContact(userId, email);
    await enrolContacts(userId, id, { filter: {} }, deps());
    const [ada, alan, grace] = await enrolmentsOf(id);
    await test.db.sequenceEnrolment.update({ where: { id: alan!.id }, data: { step: 2 } });
    await updateSequence(userId, id, input(), deps()); // version 2: two steps

    expect(await moveToCurrentVersion(otherUserId, id, ada!.id, deps()).catch((error) => error)).toBeInstanceOf(
      UserError,
    );
    expect(await moveToCurrentVersion(userId, id, ada!.id, deps())).toBe(1);
    expect((await enrolmentsOf(id)).map((row) => [row.email, row.version.number, row.state])).toEqual([
      ["ada@example.com", 2, "ACTIVE"],
      ["alan@example.com", 1, "ACTIVE"],
      ["grace@example.com", 1, "ACTIVE"],
    ]);

    expect(await moveToCurrentVersion(userId, id, undefined, deps())).toBe(2);
    const moved = await enrolmentsOf(id);
    expect(moved.map((row) => [row.email, row.version.number, row.state, row.step])).toEqual([
      ["ada@example.com", 2, "ACTIVE", 0],
      ["alan@example.com", 2, "FINISHED", 2],
      ["grace@example.com", 2, "ACTIVE", 0],
    ]);
    expect(grace!.id).toBe(moved[2]!.id);
    expect(await moveToCurrentVersion(userId, id, undefined, deps())).toBe(0);
  });

  it("moves nobody in another user's sequence by naming its enrolment under one's own", async () => {
    const mine = await createSequence(userId, input(), deps());
    const theirs = await createSequence(otherUserId, input(), deps());
    await addContact(otherUserId, "mallory@example.com");
    await enrolContacts(otherUserId, theirs.id, { filter: {} }, deps());
    await updateSequence(otherUserId, theirs.id, input({ steps: [FORM.steps[0]!] }), deps());
    const [their] = await enrolmentsOf(theirs.id);
    expect(await moveToCurrentVersion(userId, mine.id, their!.id, deps())).toBe(0);
    expect((await enrolmentsOf(theirs.id))[0]!.version.number).toBe(1);
  });
});
