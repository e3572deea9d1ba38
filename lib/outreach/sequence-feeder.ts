import { appDeps, type AppDeps } from "../platform/deps";
import { isUniqueViolation, type MessageStatus } from "../platform/db";
import { newMessageId } from "../mail/mime";
import { recipientRows } from "../mail/messages";
import { findFollowUpSource } from "../mail/follow-up";
import { threadHeaders } from "../mail/follow-up-rules";
import { insideWindow, MERGE_PACE, nextWindowOpening } from "./merge-schedule";
import { bulkAllowance, type BulkAllowance } from "./bulk-allowance";
import { nextStepDue, renderStep, sequenceWindowFor } from "./sequence-steps";
import { newUnsubscribeKey, UNSUBSCRIBE_FOOTER, unsubscribeUrl } from "./unsubscribe";
import { checkEnrolmentForReply } from "./reply-detection";

/**
 * The sequence feeder: on every tick (beside the merge feeder, lib/platform/background-jobs.ts) it
 * looks at the enrolments whose time has come and hands each one's next step to the outbox as an
 * ordinary message. The outbox stays the only sender (pacing, waiting for reconnect, UNKNOWN and
 * exactly-once come from it); the feeder keeps the sequence's own promises:
 * - a stop is written before the next step is claimed: a reply (read before each follow-up when reply
 *   detection is on), an unsubscribe, a deleted contact, a step that failed;
 * - no step twice: the enrolment moves from step k to k+1 in one conditional write, in the
 *   transaction that creates the step's message, whose idempotency key `sequence-<id>-<k>` is unique;
 * - each follow-up waits for the step before it to be sent, then its delay counted from that send,
 *   in the recipient's own zone and window, into the first email's Gmail thread;
 * - while Gmail needs a reconnect, enrolments hold their place; after it each resumes with the rest
 *   of its wait counted from the resume (never a burst), and a step more than 2 days late waits for
 *   the user's "Send now" or "Skip";
 * - sequences share the account's bulk pace and daily budget with merges, below one-to-one email.
 */

const DUE_BATCH = 100;
/** How often an enrolment whose step is in the outbox looks again (the outbox settles it meanwhile). */
export const SEQUENCE_RECHECK_MS = 60_000;
/** A step due longer ago than this is not sent without the user's word. */
export const LATE_AFTER_MS = 2 * 24 * 60 * 60_000;

export type SequenceFeedOutcome = {
  queued: number;
  stopped: number;
  finished: number;
  held: number;
  late: number;
  resumed: number;
};

const IN_OUTBOX: readonly MessageStatus[] = ["QUEUED", "SCHEDULED", "SENDING", "WAITING_FOR_RECONNECT"];

type AccountView = {
  status: string;
  /** When the connection last changed: for a held account, when it stopped being able to send. */
  statusChangedAt: Date | null;
  email: string | null;
  name: string | null;
  replyDetection: boolean;
};

/** One tick: resume what a reconnect freed, then every enrolment due (100 at most, oldest first). */
export async function feedSequences(deps: AppDeps = appDeps()): Promise<SequenceFeedOutcome> {
  const outcome: SequenceFeedOutcome = { queued: 0, stopped: 0, finished: 0, held: 0, late: 0, resumed: 0 };
  outcome.resumed = await resumeHeldEnrolments(deps);
  const now = deps.now();
  const due = await findDueEnrolments(now, deps);
  // Per tick, each account is read once and its bulk budget counted once.
  const accounts = new Map<string, Promise<AccountView>>();
  const budgets = new Map<string, Promise<BulkAllowance>>();
  for (const { id, userId } of due) {
    try {
      if (!accounts.has(userId)) accounts.set(userId, accountOf(userId, deps));
      const result = await feedEnrolment(id, await accounts.get(userId)!, budgets, deps);
      if (result in outcome) outcome[result as keyof SequenceFeedOutcome] += 1;
    } catch (error) {
      console.error(`[evergreen] sequence feeder: enrolment ${id} failed this tick: ${(error as Error).message}`);
    }
  }
  return outcome;
}

/** The tick's one query over all enrolments: the index (state, nextSendAt) answers it. */
export function findDueEnrolments(now: Date, deps: AppDeps, take = DUE_BATCH) {
  return deps.db.sequenceEnrolment.findMany({
    where: { state: "ACTIVE", nextSendAt: { lte: new Date(now.getTime() + MERGE_PACE.leadMs) } },
    orderBy: { nextSendAt: "asc" },
    take,
    select: { id: true, userId: true },
  });
}

async function accountOf(userId: string, deps: AppDeps): Promise<AccountView> {
  const [account, user] = await Promise.all([
    deps.db.account.findFirst({
      where: { userId, provider: "google" },
      orderBy: { createdAt: "asc" },
      select: { status: true, email: true, statusChangedAt: true },
    }),
    deps.db.user.findUnique({ where: { id: userId }, select: { name: true, replyDetection: true } }),
  ]);
  return {
    status: account?.status ?? "NOT_CONNECTED",
    statusChangedAt: account?.statusChangedAt ?? null,
    email: account?.email ?? null,
    name: user?.name ?? null,
    replyDetection: user?.replyDetection ?? false,
  };
}

function loadEnrolment(id: string, deps: AppDeps) {
  return deps.db.sequenceEnrolment.findFirst({
    where: { id, state: "ACTIVE" },
    include: {
      sequence: true,
      version: { include: { steps: { orderBy: { position: "asc" } } } },
      contact: {
        select: { id: true, name: true, firstName: true, email: true, company: true, title: true, timeZone: true },
      },
    },
  });
}
type Enrolment = NonNullable<Awaited<ReturnType<typeof loadEnrolment>>>;

type FeedResult = "queued" | "stopped" | "finished" | "held" | "late" | "waiting" | "taken";

/** One enrolment's turn. Each write is conditional on the state read, so two workers act once. */
export async function feedEnrolment(
  id: string,
  account: AccountView,
  budgets: Map<string, Promise<BulkAllowance>>,
  deps: AppDeps,
): Promise<FeedResult> {
  const { db } = deps;
  const enrolment = await loadEnrolment(id, deps);
  if (!enrolment?.nextSendAt) return "taken";
  const now = deps.now();
  const guard = { id, state: "ACTIVE" as const, step: enrolment.step, nextSendAt: enrolment.nextSendAt };
  const write = async (data: Parameters<typeof db.sequenceEnrolment.updateMany>[0]["data"], result: FeedResult) => {
    const { count } = await db.sequenceEnrolment.updateMany({ where: guard, data });
    return count === 1 ? result : "taken";
  };
  const stop = (reason: string) => stopEnrolment(guard, reason, deps);
  const steps = enrolment.version.steps;
  const window = sequenceWindowFor(enrolment.sequence, enrolment.contact);

  // The step before is in the outbox: wait for its outcome, then schedule this one from its send.
  if (enrolment.dueAt === null) {
    const last = enrolment.lastMessageId
      ? await db.message.findUnique({
          where: { id: enrolment.lastMessageId },
          select: { status: true, sentAt: true, lastError: true },
        })
      : null;
    if (last && IN_OUTBOX.includes(last.status))
      return write({ nextSendAt: new Date(now.getTime() + SEQUENCE_RECHECK_MS) }, "waiting");
    if (!last || last.status !== "SENT") return stop(stepFailure(enrolment.step, last));
    const next = steps[enrolment.step];
    if (!next) return write({ state: "FINISHED", endedAt: now, nextSendAt: null }, "finished");
    const due = nextStepDue(last.sentAt ?? now, next, window);
    return write({ dueAt: due, nextSendAt: due }, "waiting");
  }

  // Waiting for reconnect: the place is kept, with the wait that was left when sending stopped;
  // resumeHeldEnrolments counts it again from the resume.
  if (account.status !== "CONNECTED") {
    const since = Math.min(account.statusChangedAt?.getTime() ?? now.getTime(), now.getTime());
    return write({ heldSince: new Date(since), nextSendAt: null }, "held");
  }
  if (now.getTime() - enrolment.dueAt.getTime() > LATE_AFTER_MS)
    return write({ lateSince: enrolment.dueAt, nextSendAt: null }, "late");

  // Stops, before the step is claimed.
  const suppressed = await db.suppression.findUnique({
    where: { userId_email: { userId: enrolment.userId, email: enrolment.email } },
    select: { unsubscribedAt: true },
  });
  if (suppressed) return stop(`Unsubscribed on ${suppressed.unsubscribedAt.toISOString().slice(0, 10)}`);
  if (!enrolment.contact) return stop("The contact was deleted");
  if (enrolment.step > 0 && account.replyDetection) {
    const check = await checkEnrolmentForReply(id, deps);
    if (check.kind === "replied" || check.kind === "bounced") return "stopped";
  }

  if (!insideWindow(now.getTime(), window)) {
    const opening = nextWindowOpening(now.getTime(), window);
    if (!opening) return stop("The send window never opens");
    return write({ dueAt: new Date(opening.opens), nextSendAt: new Date(opening.opens) }, "waiting");
  }
  if (!budgets.has(enrolment.userId)) budgets.set(enrolment.userId, bulkAllowance(enrolment.userId, deps));
  const budget = await budgets.get(enrolment.userId)!;
  if (budget.left <= 0)
    return write({ nextSendAt: budget.dayFullUntil ?? new Date(now.getTime() + 60_000) }, "waiting");
  budget.left -= 1;
  return queueStep(enrolment, account, guard, deps);
}

function stepFailure(step: number, last: { status: MessageStatus; lastError: string | null } | null): string {
  const which = `Step ${step}`;
  if (!last) return `${which} is gone from the outbox`;
  if (last.status === "CANCELLED") return `${which} was not sent: ${last.lastError ?? "cancelled in the outbox"}`;
  if (last.status === "UNKNOWN") return `${which} may not have been sent (Gmail gave no answer); check Gmail`;
  return `A step failed: ${which}${last.lastError ? `, ${last.lastError}` : ""}`;
}

type EnrolmentGuard = { id: string; state: "ACTIVE"; step: number; nextSendAt: Date };

/** Stops the enrolment as read (guard) with the reason; "taken" when another worker or the user moved it first. */
async function stopEnrolment(guard: EnrolmentGuard, reason: string, deps: AppDeps): Promise<"stopped" | "taken"> {
  const { count } = await deps.db.sequenceEnrolment.updateMany({
    where: guard,
    data: { state: "STOPPED", stopReason: reason, endedAt: deps.now(), nextSendAt: null, dueAt: null },
  });
  return count === 1 ? "stopped" : "taken";
}

class StepTaken extends Error {}

/** Creates the step's message and moves the enrolment on, in one transaction, or neither. */
async function queueStep(
  enrolment: Enrolment,
  account: AccountView,
  guard: EnrolmentGuard,
  deps: AppDeps,
): Promise<FeedResult> {
  const { db } = deps;
  const now = deps.now();
  const stop = (reason: string) => stopEnrolment(guard, reason, deps);
  const position = enrolment.step;
  const step = enrolment.version.steps[position];
  if (!step) {
    const { count } = await db.sequenceEnrolment.updateMany({
      where: guard,
      data: { state: "FINISHED", endedAt: now, nextSendAt: null, dueAt: null },
    });
    return count === 1 ? "finished" : "taken";
  }
  // A follow-up answers the step before, in the first email's thread, with Evergreen's own Message-IDs.
  const parent =
    position > 0 && enrolment.lastMessageId
      ? await findFollowUpSource(enrolment.userId, enrolment.lastMessageId, deps)
      : null;
  if (position > 0 && !parent) return stop(`A step failed: step ${position}'s thread is not known`);
  const first =
    position > 0 && enrolment.firstMessageId
      ? await db.message.findUnique({ where: { id: enrolment.firstMessageId }, select: { subject: true } })
      : null;
  const rendered = renderStep(step, enrolment.contact!, { name: account.name }, first?.subject ?? parent?.subject);
  if (!rendered.ok) return stop(`A step failed: step ${position + 1}: ${rendered.reason}`);
  const thread = parent ? threadHeaders(parent) : undefined;
  const unsubscribeKey = newUnsubscribeKey();
  const sendAt = new Date(Math.max(enrolment.dueAt!.getTime(), now.getTime()));
  try {
    await db.$transaction(async (tx) => {
      const message = await tx.message.create({
        data: {
          userId: enrolment.userId,
          createdAt: now,
          contactId: enrolment.contact!.id,
          sequenceEnrolmentId: enrolment.id,
          sequenceStep: position,
          to: [enrolment.email],
          cc: [],
          bcc: [],
          subject: rendered.subject,
          text: rendered.body + UNSUBSCRIBE_FOOTER(unsubscribeUrl(unsubscribeKey, enrolment.email)),
          status: "QUEUED",
          idempotencyKey: `sequence-${enrolment.id}-${position}`,
          nextAttemptAt: sendAt,
          rfc822MessageId: newMessageId(account.email ?? "evergreen.invalid"),
          unsubscribeKey,
          ...(thread
            ? { followUpOfId: parent!.id, inReplyTo: thread.inReplyTo, references: thread.references.join(" ") }
            : {}),
          recipients: { create: recipientRows(enrolment.userId, now, [enrolment.email]) },
        },
        select: { id: true },
      });
      const { count } = await tx.sequenceEnrolment.updateMany({
        where: guard,
        data: {
          step: position + 1,
          lastMessageId: message.id,
          ...(position === 0 ? { firstMessageId: message.id } : {}),
          dueAt: null,
          nextSendAt: new Date(sendAt.getTime() + SEQUENCE_RECHECK_MS),
        },
      });
      if (count !== 1) throw new StepTaken();
    });
    return "queued";
  } catch (error) {
    if (error instanceof StepTaken || isUniqueViolation(error)) return "taken";
    throw error;
  }
}

/**
 * After a reconnect: each held enrolment of a connected account is due again after the rest of its
 * wait, counted from now (so a backlog is never sent at once); one whose step was due more than 2
 * days ago waits for the user instead.
 */
export async function resumeHeldEnrolments(deps: AppDeps, take = DUE_BATCH): Promise<number> {
  const { db } = deps;
  const held = await db.sequenceEnrolment.findMany({
    where: { state: "ACTIVE", heldSince: { not: null } },
    orderBy: { heldSince: "asc" },
    take,
    select: { id: true, userId: true, heldSince: true, dueAt: true },
  });
  if (held.length === 0) return 0;
  const connected = new Set(
    (
      await db.account.findMany({
        where: { userId: { in: [...new Set(held.map((row) => row.userId))] }, provider: "google", status: "CONNECTED" },
        select: { userId: true },
      })
    ).map((row) => row.userId),
  );
  const now = deps.now().getTime();
  let resumed = 0;
  for (const row of held) {
    if (!connected.has(row.userId)) continue;
    const due = row.dueAt?.getTime() ?? now;
    const late = now - due > LATE_AFTER_MS;
    const at = new Date(now + Math.max(0, due - row.heldSince!.getTime()));
    const { count } = await db.sequenceEnrolment.updateMany({
      where: { id: row.id, state: "ACTIVE", heldSince: row.heldSince },
      data: late
        ? { heldSince: null, lateSince: row.dueAt, nextSendAt: null }
        : { heldSince: null, dueAt: at, nextSendAt: at },
    });
    resumed += count;
  }
  return resumed;
}
