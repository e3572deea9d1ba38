import { randomUUID } from "node:crypto";
import { appDeps, type AppDeps } from "../platform/deps";
import { UserError } from "../platform/errors";
import { isRecordId, isUniqueViolation } from "../platform/db";
import { newMessageId } from "../mail/mime";
import { MAX_SUBJECT_LENGTH } from "../mail/compose";
import { enqueueMessage, recipientRows } from "../mail/messages";
import { bulkAllowance } from "./bulk-allowance";
import { headerTextProblem, windowOf } from "./merge-rules";
import { FIELD_LABELS, mergePreview, renderFor } from "./merge-report";
import { insideWindow, MERGE_INTERVAL_MS, MERGE_PACE, nextWindowOpening } from "./merge-schedule";
import { newUnsubscribeKey, UNSUBSCRIBE_FOOTER, unsubscribeUrl } from "./unsubscribe";

/**
 * The merge feeder: on every tick (beside the outbox, lib/platform/background-jobs.ts) it hands each
 * running merge's next recipients to the outbox as ordinary messages, one per merge slot (its pace,
 * MERGE_PACE), a second ahead of their time. The outbox stays the only sender, so pacing under
 * Gmail's limits, waiting for reconnect, UNKNOWN and exactly-once all come from it; the feeder adds
 * the merge's own promises:
 * - no recipient twice: a ledger row moves PENDING → QUEUED in one conditional write, in the same
 *   transaction that creates its message, whose idempotency key (`merge-<row id>`) is unique per user;
 * - never the backlog at once: at most a second of messages is ever in the outbox, and after a
 *   reconnect, a pause or a closed window the pace starts again from now;
 * - one-to-one email first: merges keep under the account's pace and daily cap with room to spare.
 */

const PER_TICK = 10;

export type FeedOutcome = { queued: number; skipped: number; finished: number; held: number };

export async function feedMerges(deps: AppDeps = appDeps()): Promise<FeedOutcome> {
  const now = deps.now();
  const outcome: FeedOutcome = { queued: 0, skipped: 0, finished: 0, held: 0 };
  const due = await deps.db.merge.findMany({
    where: {
      status: "RUNNING",
      OR: [{ nextSendAt: null }, { nextSendAt: { lte: new Date(now.getTime() + MERGE_PACE.leadMs) } }],
    },
    orderBy: [{ nextSendAt: "asc" }, { createdAt: "asc" }],
    take: 50,
    select: { id: true },
  });
  for (const { id } of due) {
    try {
      const result = await feedMerge(id, deps);
      outcome.queued += result.queued;
      outcome.skipped += result.skipped;
      outcome.finished += result.finished ? 1 : 0;
      outcome.held += result.held ? 1 : 0;
    } catch (error) {
      console.error(`[evergreen] merge feeder: merge ${id} failed this tick: ${(error as Error).message}`);
    }
  }
  return outcome;
}

type MergeForFeed = NonNullable<Awaited<ReturnType<typeof loadRunningMerge>>>;

function loadRunningMerge(mergeId: string, deps: AppDeps) {
  return deps.db.merge.findFirst({
    where: { id: mergeId, status: "RUNNING" },
    include: {
      user: { select: { name: true } },
      attachments: { select: { filename: true, contentType: true, size: true, content: true } },
    },
  });
}

/** One merge's turn: hold (reconnect, window, daily cap), or queue the recipients whose slots have come. */
export async function feedMerge(
  mergeId: string,
  deps: AppDeps = appDeps(),
): Promise<{ queued: number; skipped: number; finished: boolean; held: boolean }> {
  const { db } = deps;
  const result = { queued: 0, skipped: 0, finished: false, held: false };
  const merge = await loadRunningMerge(mergeId, deps);
  if (!merge) return result;
  const now = deps.now().getTime();
  const account = await db.account.findFirst({
    where: { userId: merge.userId, provider: "google" },
    orderBy: { createdAt: "asc" },
    select: { status: true, email: true },
  });
  // Waiting for reconnect: nothing is handed over; the page and the dashboard say why.
  if (account?.status !== "CONNECTED") return { ...result, held: true };

  const window = windowOf(merge);
  if (window && !insideWindow(now, window)) {
    const opening = nextWindowOpening(now, window);
    if (opening) await moveSlot(merge, new Date(opening.opens), deps);
    return { ...result, held: true };
  }

  // The day's cap is shared with one-to-one email, which keeps a reserve bulk mail never uses; several
  // merges and sequences of one account share the bulk pace: what they queued in the last minute counts.
  const allowance = await bulkAllowance(merge.userId, deps);
  if (allowance.dayFullUntil) {
    await moveSlot(merge, allowance.dayFullUntil, deps);
    return { ...result, held: true };
  }
  let budget = Math.min(PER_TICK, allowance.left);

  let slotFrom = merge.nextSendAt;
  while (budget > 0) {
    const row = await db.mergeRecipient.findFirst({
      where: { mergeId, state: "PENDING" },
      orderBy: { position: "asc" },
      select: { id: true, email: true, contactId: true, contact: { select: contactFields } },
    });
    if (!row) {
      result.finished = await finishIfDone(merge.id, merge.userId, deps);
      return result;
    }
    // The next slot, never in the past: time lost (a pause, a reconnect, a slow tick) is not made up in a burst.
    const slot = Math.max(slotFrom?.getTime() ?? now, now);
    if (slot > now + MERGE_PACE.leadMs) return result;
    const next = new Date(slot + MERGE_INTERVAL_MS);
    const { count } = await db.merge.updateMany({
      where: { id: merge.id, status: "RUNNING", nextSendAt: slotFrom },
      data: { nextSendAt: next },
    });
    if (count !== 1) return result; // another worker fed it, or the user paused or cancelled it
    slotFrom = next;
    budget -= 1;
    const outcome = await queueRecipient(merge, row, new Date(slot), account.email, deps);
    if (outcome === "queued") result.queued += 1;
    else if (outcome === "skipped") result.skipped += 1;
  }
  return result;
}

const contactFields = { id: true, name: true, firstName: true, email: true, company: true, title: true } as const;

async function moveSlot(merge: MergeForFeed, to: Date, deps: AppDeps) {
  await deps.db.merge.updateMany({
    where: { id: merge.id, status: "RUNNING", nextSendAt: merge.nextSendAt },
    data: { nextSendAt: to },
  });
}

class RowTaken extends Error {}

/**
 * One recipient's subject and body as the feeder queues them, or why they are skipped. The contact's
 * values are whatever was stored (an import may have let anything in), so the rendered subject is
 * checked again for what a header cannot carry: a value can never add a header. Never "Hi ,": a field
 * left empty without a fallback skips the recipient.
 */
export function personalise(
  merge: Parameters<typeof renderFor>[0],
  row: Parameters<typeof renderFor>[1],
): { ok: true; subject: string; body: string } | { ok: false; skipReason: string } {
  const rendered = renderFor(merge, row);
  // Trimmed as compose trims a typed subject: an empty field at either end leaves no stray space.
  const subject = rendered.subject.trim();
  if (rendered.missing.length > 0)
    return {
      ok: false,
      skipReason: `No ${rendered.missing.map((field) => FIELD_LABELS[field]).join(", ")} (and no fallback).`,
    };
  const subjectProblem =
    headerTextProblem("The subject", subject) ??
    (subject.length > MAX_SUBJECT_LENGTH
      ? `The subject is over ${MAX_SUBJECT_LENGTH} characters for this recipient.`
      : undefined);
  if (subjectProblem) return { ok: false, skipReason: subjectProblem };
  return { ok: true, subject, body: rendered.body };
}

/** Turns one ledger row into its outbox message, or skips it with the reason, exactly once. */
async function queueRecipient(
  merge: MergeForFeed,
  row: {
    id: string;
    email: string;
    contactId: string | null;
    contact: { id: string; name: string; firstName: string; email: string; company: string; title: string } | null;
  },
  sendAt: Date,
  senderEmail: string | null,
  deps: AppDeps,
): Promise<"queued" | "skipped" | "taken"> {
  const { db } = deps;
  const skip = async (reason: string) => {
    const { count } = await db.mergeRecipient.updateMany({
      where: { id: row.id, state: "PENDING" },
      data: { state: "SKIPPED", skipReason: reason },
    });
    return count === 1 ? ("skipped" as const) : ("taken" as const);
  };
  // Checked again now: the address may have unsubscribed since the merge was prepared.
  const suppressed = await db.suppression.findUnique({
    where: { userId_email: { userId: merge.userId, email: row.email } },
    select: { unsubscribedAt: true },
  });
  if (suppressed) return skip(`Unsubscribed on ${suppressed.unsubscribedAt.toISOString().slice(0, 10)}`);
  if (!row.contact) return skip("The contact was deleted.");
  const rendered = personalise(merge, row);
  if (!rendered.ok) return skip(rendered.skipReason);

  const unsubscribeKey = newUnsubscribeKey();
  const text = rendered.body + UNSUBSCRIBE_FOOTER(unsubscribeUrl(unsubscribeKey, row.email));
  const createdAt = deps.now();
  try {
    await db.$transaction(async (tx) => {
      const { count } = await tx.mergeRecipient.updateMany({
        where: { id: row.id, state: "PENDING" },
        data: { state: "QUEUED" },
      });
      if (count !== 1) throw new RowTaken();
      const message = await tx.message.create({
        data: {
          userId: merge.userId,
          createdAt,
          mergeId: merge.id,
          contactId: row.contact!.id,
          to: [row.email],
          cc: [],
          bcc: [],
          subject: rendered.subject,
          text,
          status: "QUEUED",
          idempotencyKey: `merge-${row.id}`,
          nextAttemptAt: sendAt,
          rfc822MessageId: newMessageId(senderEmail ?? "evergreen.invalid"),
          unsubscribeKey,
          recipients: { create: recipientRows(merge.userId, createdAt, [row.email]) },
          attachments: {
            create: merge.attachments.map((file) => ({
              filename: file.filename,
              contentType: file.contentType,
              size: file.size,
              content: file.content,
            })),
          },
        },
        select: { id: true },
      });
      await tx.mergeRecipient.update({ where: { id: row.id }, data: { messageId: message.id } });
    });
    return "queued";
  } catch (error) {
    // Another worker took the row first (its transition, or the unique key, refused ours): nothing was written.
    if (error instanceof RowTaken || isUniqueViolation(error)) return "taken";
    throw error;
  }
}

/** A merge with nothing pending and nothing left in the outbox is finished. */
async function finishIfDone(mergeId: string, userId: string, deps: AppDeps): Promise<boolean> {
  const inFlight = await deps.db.message.count({
    where: { mergeId, userId, status: { in: ["QUEUED", "SCHEDULED", "SENDING", "WAITING_FOR_RECONNECT"] } },
  });
  if (inFlight > 0) return false;
  const { count } = await deps.db.merge.updateMany({
    where: { id: mergeId, status: "RUNNING", recipients: { none: { state: "PENDING" } } },
    data: { status: "FINISHED", finishedAt: deps.now(), nextSendAt: null },
  });
  return count === 1;
}

/**
 * "Send a test to me": the message as one recipient gets it, to the user's own Gmail address, marked
 * as a test in the subject and first line, with the merge's files. Not in the ledger, not counted.
 */
export async function sendMergeTest(userId: string, mergeId: string, index: number, deps: AppDeps = appDeps()) {
  if (!isRecordId(mergeId)) throw new UserError("That merge no longer exists.");
  const [preview, account, merge] = await Promise.all([
    mergePreview(userId, mergeId, index, deps),
    deps.db.account.findFirst({
      where: { userId, provider: "google" },
      orderBy: { createdAt: "asc" },
      select: { email: true },
    }),
    deps.db.merge.findFirst({ where: { id: mergeId, userId }, include: { attachments: true } }),
  ]);
  if (!preview || !merge) throw new UserError("That merge no longer exists.");
  if (!account?.email) throw new UserError("Connect Gmail first: the test goes to your own Gmail address.");
  if (!merge.subject.trim() || !merge.body.trim())
    throw new UserError("Write a subject and a message before sending a test.");
  const subject = `[Test] ${preview.subject}`.slice(0, MAX_SUBJECT_LENGTH);
  const intro = `This is a test of your merge “${merge.name}”, as ${preview.recipient.email} will get it. It is not counted and goes to you only.\n\n`;
  return enqueueMessage(
    userId,
    {
      to: [account.email],
      cc: [],
      bcc: [],
      subject,
      body: intro + preview.body + UNSUBSCRIBE_FOOTER("(each recipient gets a personal unsubscribe link here)"),
      idempotencyKey: `merge-test-${randomUUID()}`,
      attachments: merge.attachments.map((file) => ({
        filename: file.filename,
        contentType: file.contentType,
        content: Buffer.from(file.content),
      })),
    },
    deps,
  );
}
