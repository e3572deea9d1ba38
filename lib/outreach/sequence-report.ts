import { isRecordId } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { mergeDailyBudget, nextWindowOpening } from "./merge-schedule";
import { enrolmentStepText, type EnrolmentStateName } from "./sequence-copy";
import { FORECAST_DAYS, forecastLoad, type LoadDay } from "./sequence-forecast";
import { sequenceWindowFor, type SequenceWindowColumns } from "./sequence-steps";

/**
 * What the sequence pages show: the list with counts, one sequence's counts, steps, versions and
 * forecast, its enrolments a page at a time, a contact's enrolments, and the dashboard's wait for a
 * reconnect. Reads only, each scoped to the user: another user's sequence is "not found".
 */

const STATES: EnrolmentStateName[] = ["ACTIVE", "REPLIED", "FINISHED", "STOPPED"];
type StateCounts = Record<EnrolmentStateName, number>;

const DAY = 24 * 60 * 60_000;

function stateCounts(rows: Array<{ state: EnrolmentStateName; _count: { _all: number } }>): StateCounts {
  const counts = { ACTIVE: 0, REPLIED: 0, FINISHED: 0, STOPPED: 0 };
  for (const row of rows) counts[row.state] += row._count._all;
  return counts;
}

/** Whether the user's Gmail can send now (as lib/outreach/merge-report.ts reads it). */
async function connected(userId: string, deps: AppDeps): Promise<boolean> {
  const account = await deps.db.account.findFirst({
    where: { userId, provider: "google" },
    orderBy: { createdAt: "asc" },
    select: { status: true },
  });
  return account?.status === "CONNECTED";
}

/** The user's sequences, newest first: the current version, its step count and the enrolments in each state. */
export async function listSequences(userId: string, deps: AppDeps = appDeps()) {
  const { db } = deps;
  const sequences = await db.sequence.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, name: true, currentVersion: true, createdAt: true },
  });
  if (sequences.length === 0) return [];
  const ids = sequences.map((sequence) => sequence.id);
  const [byState, versions] = await Promise.all([
    db.sequenceEnrolment.groupBy({
      by: ["sequenceId", "state"],
      where: { userId, sequenceId: { in: ids } },
      _count: { _all: true },
    }),
    db.sequenceVersion.findMany({
      where: { OR: sequences.map((sequence) => ({ sequenceId: sequence.id, number: sequence.currentVersion })) },
      select: { sequenceId: true, _count: { select: { steps: true } } },
    }),
  ]);
  return sequences.map((sequence) => ({
    ...sequence,
    stepCount: versions.find((version) => version.sequenceId === sequence.id)?._count.steps ?? 0,
    counts: stateCounts(byState.filter((row) => row.sequenceId === sequence.id)),
  }));
}

/** One sequence with its current version's steps (for its page and its edit form); null when not the user's. */
export async function getSequence(userId: string, sequenceId: string, deps: AppDeps = appDeps()) {
  if (!isRecordId(sequenceId)) return null;
  const sequence = await deps.db.sequence.findFirst({
    where: { id: sequenceId, userId },
    select: {
      id: true,
      name: true,
      timeZone: true,
      windowDays: true,
      windowStartMinute: true,
      windowEndMinute: true,
      currentVersion: true,
      createdAt: true,
    },
  });
  if (!sequence) return null;
  const version = await deps.db.sequenceVersion.findUniqueOrThrow({
    where: { sequenceId_number: { sequenceId, number: sequence.currentVersion } },
    select: {
      steps: {
        orderBy: { position: "asc" },
        select: { position: true, subject: true, body: true, delayDays: true, businessDays: true },
      },
    },
  });
  return { ...sequence, steps: version.steps };
}

export type SequenceOverview = NonNullable<Awaited<ReturnType<typeof sequenceOverview>>>;

/**
 * The sequence page's report: counts (enrolled, each state, waiting for a reconnect, late), sent and
 * replies per step, the versions with their active enrolments, and the next days' load beside the
 * daily share bulk mail may use.
 */
export async function sequenceOverview(userId: string, sequenceId: string, deps: AppDeps = appDeps()) {
  const sequence = await getSequence(userId, sequenceId, deps);
  if (!sequence) return null;
  const { db } = deps;
  const now = deps.now();
  const [byState, late, versions, activeByVersion, sent, replied, due, canSend] = await Promise.all([
    db.sequenceEnrolment.groupBy({ by: ["state"], where: { sequenceId, userId }, _count: { _all: true } }),
    db.sequenceEnrolment.count({ where: { sequenceId, userId, state: "ACTIVE", lateSince: { not: null } } }),
    db.sequenceVersion.findMany({
      where: { sequenceId },
      orderBy: { number: "desc" },
      select: { id: true, number: true, createdAt: true, _count: { select: { steps: true } } },
    }),
    db.sequenceEnrolment.groupBy({
      by: ["versionId"],
      where: { sequenceId, userId, state: "ACTIVE" },
      _count: { _all: true },
    }),
    db.message.groupBy({
      by: ["sequenceStep"],
      where: { userId, status: "SENT", sequenceEnrolment: { sequenceId } },
      _count: { _all: true },
    }),
    db.sequenceEnrolment.groupBy({
      by: ["step"],
      where: { sequenceId, userId, state: "REPLIED" },
      _count: { _all: true },
    }),
    // A step in the outbox has no due time: it is already counted in the outbox's own load.
    db.sequenceEnrolment.findMany({
      where: {
        sequenceId,
        userId,
        state: "ACTIVE",
        lateSince: null,
        dueAt: { not: null, lt: new Date(now.getTime() + (FORECAST_DAYS + 1) * DAY) },
      },
      select: { dueAt: true, contact: { select: { timeZone: true } } },
    }),
    connected(userId, deps),
  ]);
  const counts = stateCounts(byState);
  const sentAt = (position: number) => sent.find((row) => row.sequenceStep === position)?._count._all ?? 0;
  const repliesAfter = (position: number) => replied.find((row) => row.step === position + 1)?._count._all ?? 0;
  // Older versions may have had more steps than the current one: their rows stay in the table.
  const positions = Math.max(
    sequence.steps.length,
    ...sent.map((row) => (row.sequenceStep ?? -1) + 1),
    ...replied.map((row) => row.step),
  );
  const budget = mergeDailyBudget(deps.dailySendLimit);
  return {
    sequence,
    counts: {
      enrolled: STATES.reduce((sum, state) => sum + counts[state], 0),
      active: counts.ACTIVE,
      replied: counts.REPLIED,
      finished: counts.FINISHED,
      stopped: counts.STOPPED,
      waitingForReconnect: canSend ? 0 : counts.ACTIVE,
      late,
    },
    steps: Array.from({ length: positions }, (_, position) => ({
      position,
      step: sequence.steps[position],
      sent: sentAt(position),
      replies: repliesAfter(position),
    })),
    /** Marked as replied (or a reply seen) before the first email left. */
    repliesBeforeFirst: replied.find((row) => row.step === 0)?._count._all ?? 0,
    versions: versions.map((version) => ({
      number: version.number,
      createdAt: version.createdAt,
      stepCount: version._count.steps,
      active: activeByVersion.find((row) => row.versionId === version.id)?._count._all ?? 0,
    })),
    forecast: {
      dailyLimit: deps.dailySendLimit,
      budget,
      days: forecastLoad(
        due.map((row) => ({ dueAt: row.dueAt!, window: sequenceWindowFor(sequence, row.contact) })),
        { now, timeZone: sequence.timeZone, budget },
      ),
    } satisfies { dailyLimit: number; budget: number; days: LoadDay[] },
  };
}

export const ENROLMENTS_PAGE_SIZE = 100;

const enrolmentSelect = {
  id: true,
  email: true,
  state: true,
  step: true,
  dueAt: true,
  nextSendAt: true,
  heldSince: true,
  lateSince: true,
  stopReason: true,
  repliedAt: true,
  endedAt: true,
  enrolledAt: true,
  version: { select: { number: true, _count: { select: { steps: true } } } },
  contact: { select: { id: true, name: true, timeZone: true } },
} as const;

const windowSelect = { windowDays: true, windowStartMinute: true, windowEndMinute: true, timeZone: true } as const;

type EnrolmentRow = {
  id: string;
  email: string;
  state: EnrolmentStateName;
  step: number;
  dueAt: Date | null;
  nextSendAt: Date | null;
  heldSince: Date | null;
  lateSince: Date | null;
  stopReason: string | null;
  repliedAt: Date | null;
  endedAt: Date | null;
  enrolledAt: Date;
  version: { number: number; _count: { steps: number } };
  contact: { id: string; name: string; timeZone: string } | null;
};

/**
 * An enrolment as the pages list it: its version, "Step 2 of 3", when the next step goes (its due time,
 * or the window's next opening in the contact's zone when that is later), why it ended.
 */
function enrolmentView(row: EnrolmentRow, sequence: SequenceWindowColumns, now: Date) {
  const stepCount = row.version._count.steps;
  const due =
    row.state === "ACTIVE" && row.dueAt
      ? nextWindowOpening(Math.max(row.dueAt.getTime(), now.getTime()), sequenceWindowFor(sequence, row.contact))
      : undefined;
  return {
    id: row.id,
    email: row.email,
    state: row.state,
    step: row.step,
    stepCount,
    stepText: enrolmentStepText(row.state, row.step, stepCount),
    version: row.version.number,
    /** When the next step goes; null while its message is in the outbox or the enrolment has ended. */
    dueAt: due ? new Date(due.opens) : null,
    held: row.state === "ACTIVE" && row.heldSince !== null,
    late: row.state === "ACTIVE" && row.lateSince !== null,
    stopReason: row.stopReason,
    repliedAt: row.repliedAt,
    endedAt: row.endedAt,
    enrolledAt: row.enrolledAt,
    contact: row.contact && { id: row.contact.id, name: row.contact.name },
  };
}

/** One page of a sequence's enrolments, in the order they joined; null when the sequence is not the user's. */
export async function listEnrolments(userId: string, sequenceId: string, page: number, deps: AppDeps = appDeps()) {
  if (!isRecordId(sequenceId)) return null;
  const { db } = deps;
  const sequence = await db.sequence.findFirst({ where: { id: sequenceId, userId }, select: windowSelect });
  if (!sequence) return null;
  const where = { sequenceId, userId };
  const total = await db.sequenceEnrolment.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / ENROLMENTS_PAGE_SIZE));
  const shown = Math.min(Math.max(1, Math.floor(page) || 1), pageCount);
  const rows = await db.sequenceEnrolment.findMany({
    where,
    orderBy: [{ enrolledAt: "asc" }, { id: "asc" }],
    skip: (shown - 1) * ENROLMENTS_PAGE_SIZE,
    take: ENROLMENTS_PAGE_SIZE,
    select: enrolmentSelect,
  });
  const now = deps.now();
  return { total, page: shown, pageCount, rows: rows.map((row) => enrolmentView(row, sequence, now)) };
}

/** The sequences a contact is in, newest first, for the contact's page. */
export async function contactEnrolments(userId: string, contactId: string, deps: AppDeps = appDeps()) {
  if (!isRecordId(contactId)) return [];
  const rows = await deps.db.sequenceEnrolment.findMany({
    where: { userId, contactId },
    orderBy: [{ enrolledAt: "desc" }, { id: "asc" }],
    take: 50,
    select: { ...enrolmentSelect, sequence: { select: { id: true, name: true, ...windowSelect } } },
  });
  const now = deps.now();
  return rows.map((row) => ({
    ...enrolmentView(row, row.sequence, now),
    sequence: { id: row.sequence.id, name: row.sequence.name },
  }));
}

/** Sequences whose active enrolments hold while Gmail needs reconnecting, with how many each, for the dashboard. */
export async function sequencesWaitingForReconnect(userId: string, deps: AppDeps = appDeps()) {
  if (await connected(userId, deps)) return [];
  const { db } = deps;
  const waiting = await db.sequenceEnrolment.groupBy({
    by: ["sequenceId"],
    where: { userId, state: "ACTIVE" },
    _count: { _all: true },
  });
  if (waiting.length === 0) return [];
  const sequences = await db.sequence.findMany({
    where: { userId, id: { in: waiting.map((row) => row.sequenceId) } },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true },
  });
  return sequences.map((sequence) => ({
    ...sequence,
    waiting: waiting.find((row) => row.sequenceId === sequence.id)?._count._all ?? 0,
  }));
}

/** The user's sequences by name, for the "Enrol in sequence" pickers of the contacts pages. */
export function sequenceChoices(userId: string, deps: AppDeps = appDeps()) {
  return deps.db.sequence.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, name: true },
  });
}
