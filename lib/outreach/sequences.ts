import { contactFilterWhere, type ContactFilter } from "../crm/contacts";
import { formText } from "../platform/action-state";
import { isRecordId, isUniqueViolation } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { UserError } from "../platform/errors";
import { tagKey } from "../crm/tags";
import { nextStepDue, sequenceWindowFor } from "./sequence-steps";
import type { SequenceInput, StepInput } from "./sequence-rules";

/**
 * A sequence's life outside the feeder: creating it, editing it (a new version when the steps change),
 * enrolling contacts, and the user's decisions on one enrolment (mark as replied, remove, a late
 * step's send-now-or-skip, moving on to the newest version). Every write is one conditional update
 * scoped to the user, so another user's id, a replay or a second tab changes nothing it should not.
 * The sending is sequence-feeder.ts; the pages' reads are sequence-report.ts.
 */

export const MAX_ENROL_AT_ONCE = 2_000;
const CHUNK = 500;

const stepRows = (steps: StepInput[]) =>
  steps.map((step, position) => ({
    position,
    subject: step.subject,
    body: step.body,
    delayDays: step.days,
    businessDays: step.businessDays,
  }));

const windowColumns = (input: SequenceInput) => ({
  name: input.name,
  timeZone: input.window.timeZone,
  windowDays: input.window.days,
  windowStartMinute: input.window.startMinute,
  windowEndMinute: input.window.endMinute,
});

export async function createSequence(
  userId: string,
  input: SequenceInput,
  deps: AppDeps = appDeps(),
): Promise<{ id: string }> {
  return deps.db.sequence.create({
    data: {
      userId,
      ...windowColumns(input),
      currentVersion: 1,
      versions: { create: { number: 1, steps: { create: stepRows(input.steps) } } },
    },
    select: { id: true },
  });
}

/**
 * Saves the form: the name and window apply at once (they are the sequence's, read at each send); steps
 * that differ from the current version's make a new version, which new enrolments join. Enrolled
 * contacts keep theirs until the user moves them on (moveToCurrentVersion).
 */
export async function updateSequence(
  userId: string,
  sequenceId: string,
  input: SequenceInput,
  deps: AppDeps = appDeps(),
): Promise<{ version: number; newVersion: boolean }> {
  const { db } = deps;
  const sequence = await findOwn(userId, sequenceId, deps);
  const current = await db.sequenceVersion.findUniqueOrThrow({
    where: { sequenceId_number: { sequenceId, number: sequence.currentVersion } },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  const same =
    current.steps.length === input.steps.length &&
    current.steps.every((step, index) => {
      const next = input.steps[index]!;
      return (
        step.subject === next.subject &&
        step.body === next.body &&
        step.delayDays === next.days &&
        step.businessDays === next.businessDays
      );
    });
  if (same) {
    await db.sequence.update({ where: { id: sequenceId }, data: windowColumns(input) });
    return { version: sequence.currentVersion, newVersion: false };
  }
  const number = sequence.currentVersion + 1;
  // The version number moves from the one read: two saves at once make one version, the other is told.
  return db.$transaction(async (tx) => {
    const { count } = await tx.sequence.updateMany({
      where: { id: sequenceId, userId, currentVersion: sequence.currentVersion },
      data: { ...windowColumns(input), currentVersion: number },
    });
    if (count !== 1) throw new UserError("The sequence was changed in another tab; reload the page and save again.");
    await tx.sequenceVersion.create({ data: { sequenceId, number, steps: { create: stepRows(input.steps) } } });
    return { version: number, newVersion: true };
  });
}

async function findOwn(userId: string, sequenceId: string, deps: AppDeps) {
  const sequence = isRecordId(sequenceId)
    ? await deps.db.sequence.findFirst({ where: { id: sequenceId, userId } })
    : null;
  if (!sequence) throw new UserError("That sequence no longer exists.");
  return sequence;
}

/**
 * Who to enrol: contacts picked by hand (a selection or one contact page), every contact with a tag, or
 * every contact the contacts list's search and tag match ("Select all N matching").
 */
export type EnrolTarget = { contactIds: string[] } | { tag: string } | { filter: ContactFilter };

/** The enrol forms' target: `scope` "matching" with `q` and `tag`, a `tag` alone, or `contactId` (repeated). */
export function readEnrolTarget(form: FormData): EnrolTarget {
  if (formText(form, "scope") === "matching")
    return { filter: { query: formText(form, "q"), tag: formText(form, "tag") } };
  if (form.has("tag")) return { tag: formText(form, "tag") };
  return { contactIds: form.getAll("contactId").filter((value): value is string => typeof value === "string") };
}

export type EnrolOutcome = { enrolled: number; alreadyEnrolled: number; unsubscribed: number };

/**
 * Enrols contacts on the sequence's current version, due at once (the feeder then waits for the send
 * window in each contact's zone). An address that unsubscribed is never enrolled; one already in this
 * sequence (in any state) is not enrolled again, so re-running a tag enrolment adds only newcomers.
 */
export async function enrolContacts(
  userId: string,
  sequenceId: string,
  target: EnrolTarget,
  deps: AppDeps = appDeps(),
): Promise<EnrolOutcome> {
  const { db } = deps;
  const sequence = await findOwn(userId, sequenceId, deps);
  const version = await db.sequenceVersion.findUniqueOrThrow({
    where: { sequenceId_number: { sequenceId, number: sequence.currentVersion } },
    select: { id: true },
  });
  let contacts: Array<{ id: string; email: string }>;
  if ("tag" in target) {
    const tag = target.tag.trim();
    if (!tag) throw new UserError("Tag: pick a tag to enrol its contacts.", "tag");
    contacts = await db.contact.findMany({
      where: contactFilterWhere(userId, { tag: tagKey(tag) }),
      orderBy: [{ searchText: "asc" }, { id: "asc" }],
      take: MAX_ENROL_AT_ONCE + 1,
      select: { id: true, email: true },
    });
    if (contacts.length === 0) throw new UserError(`Tag: no contact has the tag “${tag}”.`, "tag");
  } else if ("filter" in target) {
    contacts = await db.contact.findMany({
      where: contactFilterWhere(userId, target.filter),
      orderBy: [{ searchText: "asc" }, { id: "asc" }],
      take: MAX_ENROL_AT_ONCE + 1,
      select: { id: true, email: true },
    });
    if (contacts.length === 0) throw new UserError("No contact matches that search any more; nothing was enrolled.");
  } else {
    const ids = [...new Set(target.contactIds.filter(isRecordId))];
    if (ids.length > MAX_ENROL_AT_ONCE) contacts = ids.map((id) => ({ id, email: "" }));
    else {
      contacts = [];
      for (let i = 0; i < ids.length; i += CHUNK)
        contacts.push(
          ...(await db.contact.findMany({
            where: { userId, id: { in: ids.slice(i, i + CHUNK) } },
            select: { id: true, email: true },
          })),
        );
    }
    if (contacts.length === 0) throw new UserError("Select at least one contact to enrol.");
  }
  if (contacts.length > MAX_ENROL_AT_ONCE)
    throw new UserError(
      `Enrol at most ${MAX_ENROL_AT_ONCE.toLocaleString("en")} contacts at once; narrow the selection or use a smaller tag.`,
    );

  const emails = contacts.map((contact) => contact.email);
  const unsubscribed = new Set<string>();
  const enrolled = new Set<string>();
  for (let i = 0; i < emails.length; i += CHUNK) {
    const slice = emails.slice(i, i + CHUNK);
    const [suppressed, existing] = await Promise.all([
      db.suppression.findMany({ where: { userId, email: { in: slice } }, select: { email: true } }),
      db.sequenceEnrolment.findMany({ where: { sequenceId, email: { in: slice } }, select: { email: true } }),
    ]);
    for (const row of suppressed) unsubscribed.add(row.email);
    for (const row of existing) enrolled.add(row.email);
  }
  const now = deps.now();
  const fresh = contacts.filter((contact) => !unsubscribed.has(contact.email) && !enrolled.has(contact.email));
  let created = 0;
  for (let i = 0; i < fresh.length; i += CHUNK) {
    // Two enrolments at once (a double click, two tabs) meet the unique (sequence, email) key: one wins.
    const rows = fresh.slice(i, i + CHUNK).map((contact) => ({
      userId,
      sequenceId,
      versionId: version.id,
      contactId: contact.id,
      email: contact.email,
      dueAt: now,
      nextSendAt: now,
      enrolledAt: now,
    }));
    created += await createEnrolments(rows, deps);
  }
  return {
    enrolled: created,
    alreadyEnrolled: enrolled.size + (fresh.length - created),
    unsubscribed: unsubscribed.size,
  };
}

type EnrolmentRow = {
  userId: string;
  sequenceId: string;
  versionId: string;
  contactId: string;
  email: string;
  dueAt: Date;
  nextSendAt: Date;
  enrolledAt: Date;
};

/** createMany without duplicates on both engines: SQLite's Prisma has no skipDuplicates, so one by one there. */
async function createEnrolments(rows: EnrolmentRow[], deps: AppDeps): Promise<number> {
  let created = 0;
  for (const row of rows) {
    try {
      await deps.db.sequenceEnrolment.create({ data: row, select: { id: true } });
      created += 1;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return created;
}

const STOPPABLE = ["ACTIVE", "FINISHED"] as const;

/** "Mark as replied" on an enrolment: always available, with reply detection or without. */
export async function markEnrolmentReplied(
  userId: string,
  enrolmentId: string,
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(enrolmentId)) return false;
  const now = deps.now();
  const { count } = await deps.db.sequenceEnrolment.updateMany({
    where: { id: enrolmentId, userId, state: { in: [...STOPPABLE] } },
    data: { state: "REPLIED", repliedAt: now, endedAt: now, stopReason: "Marked as replied", nextSendAt: null },
  });
  return count === 1;
}

/** "Mark as replied" on a contact: every sequence it is in stops (and counts the reply). */
export async function markContactReplied(userId: string, contactId: string, deps: AppDeps = appDeps()) {
  if (!isRecordId(contactId)) return 0;
  const now = deps.now();
  const { count } = await deps.db.sequenceEnrolment.updateMany({
    where: { contactId, userId, state: { in: [...STOPPABLE] } },
    data: { state: "REPLIED", repliedAt: now, endedAt: now, stopReason: "Marked as replied", nextSendAt: null },
  });
  return count;
}

/** Takes a contact out of a sequence: no further step. A message already in the outbox stays there (cancel it there). */
export async function removeEnrolment(userId: string, enrolmentId: string, deps: AppDeps = appDeps()) {
  if (!isRecordId(enrolmentId)) return false;
  const { count } = await deps.db.sequenceEnrolment.updateMany({
    where: { id: enrolmentId, userId, state: "ACTIVE" },
    data: { state: "STOPPED", stopReason: "Removed by you", endedAt: deps.now(), nextSendAt: null, lateSince: null },
  });
  return count === 1;
}

/**
 * A step more than 2 days late waits for the user. "Send now" makes it due at once (inside the window);
 * "Skip" goes on to the next step, its wait counted from now. The first email cannot be skipped (the
 * follow-ups need its thread): skipping it takes the contact out of the sequence.
 */
export async function decideLateStep(
  userId: string,
  enrolmentId: string,
  decision: "send" | "skip",
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(enrolmentId)) return false;
  const { db } = deps;
  const now = deps.now();
  const enrolment = await db.sequenceEnrolment.findFirst({
    where: { id: enrolmentId, userId, state: "ACTIVE", lateSince: { not: null } },
    include: {
      sequence: true,
      contact: { select: { timeZone: true } },
      version: { include: { steps: { orderBy: { position: "asc" } } } },
    },
  });
  if (!enrolment) return false;
  const guard = { id: enrolment.id, state: "ACTIVE" as const, step: enrolment.step, lateSince: { not: null } };
  if (decision === "send") {
    const { count } = await db.sequenceEnrolment.updateMany({
      where: guard,
      data: { lateSince: null, dueAt: now, nextSendAt: now },
    });
    return count === 1;
  }
  const steps = enrolment.version.steps;
  const next = steps[enrolment.step + 1];
  const data =
    enrolment.step === 0
      ? { state: "STOPPED" as const, stopReason: "First email skipped by you", endedAt: now, nextSendAt: null }
      : !next
        ? { state: "FINISHED" as const, step: steps.length, endedAt: now, nextSendAt: null }
        : (() => {
            const due = nextStepDue(now, next, sequenceWindowFor(enrolment.sequence, enrolment.contact));
            return { step: enrolment.step + 1, dueAt: due, nextSendAt: due };
          })();
  const { count } = await db.sequenceEnrolment.updateMany({ where: guard, data: { ...data, lateSince: null } });
  return count === 1;
}

/**
 * Moves active enrolments on older versions to the current one (all of the sequence's, or one), keeping
 * their place: the step they are due next. One whose place is past the new version's last step is
 * finished. Never implicit: editing a sequence alone moves nobody.
 */
export async function moveToCurrentVersion(
  userId: string,
  sequenceId: string,
  enrolmentId: string | undefined,
  deps: AppDeps = appDeps(),
): Promise<number> {
  const { db } = deps;
  const sequence = await findOwn(userId, sequenceId, deps);
  if (enrolmentId !== undefined && !isRecordId(enrolmentId)) return 0;
  const current = await db.sequenceVersion.findUniqueOrThrow({
    where: { sequenceId_number: { sequenceId, number: sequence.currentVersion } },
    select: { id: true, _count: { select: { steps: true } } },
  });
  const older = {
    sequenceId,
    userId,
    state: "ACTIVE" as const,
    versionId: { not: current.id },
    ...(enrolmentId ? { id: enrolmentId } : {}),
  };
  const now = deps.now();
  const [finished, moved] = await db.$transaction([
    db.sequenceEnrolment.updateMany({
      where: { ...older, step: { gte: current._count.steps } },
      data: { versionId: current.id, state: "FINISHED", endedAt: now, nextSendAt: null, lateSince: null },
    }),
    db.sequenceEnrolment.updateMany({ where: older, data: { versionId: current.id } }),
  ]);
  return finished.count + moved.count;
}
