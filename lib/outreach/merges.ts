import { z } from "zod";
import { contactFilterWhere } from "../crm/contacts";
import { isRecordId } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { UserError } from "../platform/errors";
import { checkTemplateText, MERGE_FIELDS, type MergeField } from "./templates";
import { parseClock, type SendWindow } from "./merge-schedule";
import { isTimeZone } from "../platform/time-zones";
import { headerTextProblem } from "./merge-rules";
import { mergeReport } from "./merge-report";
import { formText } from "../platform/action-state";

/**
 * A mail merge's life before and around its sending: preparing it (the recipients frozen into its
 * ledger), the draft's edits (message, fallbacks, skips, timing), and start, pause, resume and
 * cancel. Every write is one conditional update scoped to the user, so a replayed request, a second
 * tab or another user's id changes nothing it should not. The sending itself is merge-feeder.ts.
 */

/** Who a merge goes to: contacts picked by hand, or every contact matching a tag and/or a search. */
export type MergeAudience =
  { kind: "selected"; contactIds: string[] } | { kind: "matching"; tag?: string; query?: string };

export const MAX_MERGE_RECIPIENTS = 2_000;
const LEDGER_CHUNK = 500;

export function readMergeAudience(form: FormData): MergeAudience {
  const text = (name: string) => formText(form, name);
  if (text("scope") === "matching") return { kind: "matching", tag: text("tag"), query: text("q") };
  const ids = form.getAll("contactId").filter((value): value is string => typeof value === "string");
  return { kind: "selected", contactIds: ids };
}

const tooMany = (count: number) =>
  new UserError(
    `A merge goes to at most ${MAX_MERGE_RECIPIENTS.toLocaleString("en")} recipients; this selection has ${count.toLocaleString("en")}. Narrow it with a tag or a search, or split it into several merges.`,
  );

const recipientSelect = { id: true, email: true } as const;

/**
 * Freezes the audience into a draft merge: one ledger row per address, in the list's order. Addresses
 * that unsubscribed are in the ledger as skipped, so the report counts them and nothing sends to them.
 */
export async function prepareMerge(
  userId: string,
  audience: MergeAudience,
  deps: AppDeps = appDeps(),
): Promise<{ id: string }> {
  const { db } = deps;
  let contacts: Array<{ id: string; email: string }>;
  let described: string;
  if (audience.kind === "selected") {
    const ids = [...new Set(audience.contactIds.filter(isRecordId))];
    if (ids.length > MAX_MERGE_RECIPIENTS) throw tooMany(ids.length);
    contacts = [];
    for (let i = 0; i < ids.length; i += LEDGER_CHUNK) {
      contacts.push(
        ...(await db.contact.findMany({
          where: { userId, id: { in: ids.slice(i, i + LEDGER_CHUNK) } },
          orderBy: [{ searchText: "asc" }, { id: "asc" }],
          select: recipientSelect,
        })),
      );
    }
    described = `${contacts.length.toLocaleString("en")} selected ${contacts.length === 1 ? "contact" : "contacts"}`;
  } else {
    const where = contactFilterWhere(userId, { query: audience.query, tag: audience.tag });
    contacts = await db.contact.findMany({
      where,
      orderBy: [{ searchText: "asc" }, { id: "asc" }],
      take: MAX_MERGE_RECIPIENTS + 1,
      select: recipientSelect,
    });
    if (contacts.length > MAX_MERGE_RECIPIENTS) throw tooMany(await db.contact.count({ where }));
    described = describeMatching(audience.tag, audience.query);
  }
  if (contacts.length === 0)
    throw new UserError(
      "No contacts to email: select at least one contact, or pick a tag or a search that matches some.",
    );

  const suppressed = new Map<string, Date>();
  const emails = contacts.map((contact) => contact.email);
  for (let i = 0; i < emails.length; i += LEDGER_CHUNK) {
    const rows = await db.suppression.findMany({
      where: { userId, email: { in: emails.slice(i, i + LEDGER_CHUNK) } },
      select: { email: true, unsubscribedAt: true },
    });
    for (const row of rows) suppressed.set(row.email, row.unsubscribedAt);
  }
  const seen = new Set<string>();
  return db.$transaction(async (tx) => {
    const merge = await tx.merge.create({
      data: { userId, name: `Merge to ${described}`, subject: "", body: "", audience: described, fallbacks: {} },
      select: { id: true },
    });
    const rows = contacts.map((contact, position) => {
      const duplicate = seen.has(contact.email);
      seen.add(contact.email);
      const unsubscribedAt = suppressed.get(contact.email);
      // Contacts are unique per address, so a duplicate can only be the same address twice in a hand-made request.
      const skipReason = duplicate
        ? "Duplicate address"
        : unsubscribedAt
          ? `Unsubscribed on ${unsubscribedAt.toISOString().slice(0, 10)}`
          : null;
      return {
        mergeId: merge.id,
        userId,
        position,
        email: duplicate ? `${contact.email}#${position}` : contact.email,
        contactId: contact.id,
        state: skipReason ? ("SKIPPED" as const) : ("PENDING" as const),
        skipReason,
      };
    });
    for (let i = 0; i < rows.length; i += LEDGER_CHUNK) {
      await tx.mergeRecipient.createMany({ data: rows.slice(i, i + LEDGER_CHUNK) });
    }
    return merge;
  });
}

function describeMatching(tag?: string, query?: string): string {
  const parts = [tag?.trim() ? `tag “${tag.trim()}”` : "", query?.trim() ? `search “${query.trim()}”` : ""];
  const filter = parts.filter(Boolean).join(" and ");
  return filter ? `contacts matching ${filter}` : "all contacts";
}

/** The draft's message: subject and body with merge fields, both checked before they are kept. */
export const mergeMessageSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "Name: give the merge a name, like “March webinar invitation”.")
      .max(120, "Name is too long: keep it to 120 characters or fewer."),
    subject: z.string().trim().max(500, "Subject is too long: keep it under 500 characters."),
    body: z.string().max(100_000, "Body is too long: keep it under 100,000 characters."),
  })
  .superRefine((values, ctx) => {
    const subjectProblem = headerTextProblem("Subject", values.subject);
    if (subjectProblem) ctx.addIssue({ code: "custom", path: ["subject"], message: subjectProblem });
    for (const field of ["subject", "body"] as const) {
      const checked = checkTemplateText(values[field]);
      if (!checked.ok)
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${field === "subject" ? "Subject" : "Body"}: ${checked.error}`,
        });
    }
  });

export type MergeMessage = z.output<typeof mergeMessageSchema>;

type DraftWhere = { id: string; userId: string; status: "DRAFT" };
const draft = (userId: string, mergeId: string): DraftWhere => ({ id: mergeId, userId, status: "DRAFT" });

const NOT_A_DRAFT = "This merge has started, so its message and recipients can no longer change. Reload the page.";

async function updateDraft(userId: string, mergeId: string, data: Record<string, unknown>, deps: AppDeps) {
  if (!isRecordId(mergeId)) throw new UserError(NOT_A_DRAFT);
  const { count } = await deps.db.merge.updateMany({ where: draft(userId, mergeId), data });
  if (count !== 1) throw new UserError(NOT_A_DRAFT);
}

export async function saveMergeMessage(
  userId: string,
  mergeId: string,
  message: MergeMessage,
  deps: AppDeps = appDeps(),
) {
  await updateDraft(userId, mergeId, message, deps);
}

/** Copies one of the user's templates into the draft (subject and body); another user's template is not found. */
export async function applyTemplate(userId: string, mergeId: string, templateId: string, deps: AppDeps = appDeps()) {
  const template = isRecordId(templateId)
    ? await deps.db.template.findFirst({
        where: { id: templateId, userId },
        select: { id: true, subject: true, body: true },
      })
    : null;
  if (!template) throw new UserError("Template: that template no longer exists; pick another.", "templateId");
  await updateDraft(userId, mergeId, { templateId: template.id, subject: template.subject, body: template.body }, deps);
}

const MAX_FALLBACK = 100;

/** Sets (or clears, with "") the merge-wide fallback of one field, used where a recipient lacks it. */
export async function setFallback(
  userId: string,
  mergeId: string,
  field: string,
  value: string,
  deps: AppDeps = appDeps(),
) {
  const known = MERGE_FIELDS.find((name) => name === field);
  if (!known) throw new UserError("That merge field is not known; reload the page.");
  const text = value.trim();
  const problem =
    headerTextProblem("The fallback", text) ??
    (/[{}|]/.test(text) ? "The fallback cannot contain { } or |." : undefined);
  if (problem || text.length > MAX_FALLBACK)
    throw new UserError(
      problem ?? `The fallback is too long: keep it to ${MAX_FALLBACK} characters or fewer.`,
      "fallback",
    );
  const merge = await deps.db.merge.findFirst({ where: draft(userId, mergeId), select: { fallbacks: true } });
  if (!merge) throw new UserError(NOT_A_DRAFT);
  const fallbacks = new Map(Object.entries((merge.fallbacks ?? {}) as Record<string, string>));
  if (text) fallbacks.set(known, text);
  else fallbacks.delete(known);
  await updateDraft(userId, mergeId, { fallbacks: Object.fromEntries(fallbacks) }, deps);
}

/** Skips (or includes again) ledger rows of a draft: those lacking a field, picked from the report. */
export async function setSkipped(
  userId: string,
  mergeId: string,
  recipientIds: string[],
  skip: boolean,
  reason: string,
  deps: AppDeps = appDeps(),
): Promise<number> {
  const ids = recipientIds.filter(isRecordId).slice(0, MAX_MERGE_RECIPIENTS);
  if (!isRecordId(mergeId) || !(await deps.db.merge.findFirst({ where: draft(userId, mergeId), select: { id: true } })))
    throw new UserError(NOT_A_DRAFT);
  const { count } = await deps.db.mergeRecipient.updateMany({
    where: skip
      ? { mergeId, userId, id: { in: ids }, state: "PENDING" }
      : // Only a row skipped by the user comes back; an unsubscribed address never does.
        { mergeId, userId, id: { in: ids }, state: "SKIPPED", skipReason: { startsWith: "Skipped by you" } },
    data: skip ? { state: "SKIPPED", skipReason: `Skipped by you: ${reason}` } : { state: "PENDING", skipReason: null },
  });
  return count;
}

export type TimingInput = {
  startAt?: string;
  windowed: boolean;
  days: string[];
  from: string;
  to: string;
  timeZone: string;
};

/** The start time and send window, checked: errors name the field. */
export function parseTiming(input: TimingInput, now: Date): { startAt: Date | null; window: SendWindow | null } {
  let startAt: Date | null = null;
  if (input.startAt) {
    const at = new Date(input.startAt);
    if (Number.isNaN(at.getTime()))
      throw new UserError("Start: pick a date and time, like tomorrow at 9:00.", "startAt");
    if (at.getTime() > now.getTime() + 30 * 24 * 60 * 60_000)
      throw new UserError("Start: pick a time within the next 30 days.", "startAt");
    startAt = at.getTime() > now.getTime() ? at : null;
  }
  if (!input.windowed) return { startAt, window: null };
  if (!isTimeZone(input.timeZone))
    throw new UserError("Time zone: pick one from the list, like Europe/Paris.", "timeZone");
  const days = input.days.reduce((mask, day) => (/^[0-6]$/.test(day) ? mask | (1 << Number(day)) : mask), 0);
  if (days === 0) throw new UserError("Days: tick at least one day to send on.", "days");
  const startMinute = parseClock(input.from);
  const endMinute = parseClock(input.to);
  if (startMinute === undefined) throw new UserError("From: type a time like 9:00.", "from");
  if (endMinute === undefined) throw new UserError("To: type a time like 17:00.", "to");
  if (endMinute <= startMinute)
    throw new UserError("To: the window must end after it starts (for example 9:00 to 17:00).", "to");
  return { startAt, window: { days, startMinute, endMinute, timeZone: input.timeZone } };
}

export async function saveTiming(
  userId: string,
  mergeId: string,
  timing: { startAt: Date | null; window: SendWindow | null },
  deps: AppDeps = appDeps(),
) {
  await updateDraft(
    userId,
    mergeId,
    {
      startAt: timing.startAt,
      windowDays: timing.window?.days ?? null,
      windowStartMinute: timing.window?.startMinute ?? null,
      windowEndMinute: timing.window?.endMinute ?? null,
      timeZone: timing.window?.timeZone ?? "UTC",
    },
    deps,
  );
}

/**
 * Starts a draft: one conditional update from DRAFT, so a double click, a second tab or a replayed
 * request starts it once and the others find it started. Refused while a recipient would get an
 * empty merge field ("Hi ,"): the report says how to fix that.
 */
export async function startMerge(
  userId: string,
  mergeId: string,
  deps: AppDeps = appDeps(),
): Promise<"started" | "already"> {
  if (!isRecordId(mergeId)) throw new UserError("That merge no longer exists.");
  const merge = await deps.db.merge.findFirst({ where: { id: mergeId, userId } });
  if (!merge) throw new UserError("That merge no longer exists.");
  if (merge.status !== "DRAFT") return "already";
  const checked = mergeMessageSchema.safeParse({ name: merge.name, subject: merge.subject, body: merge.body });
  if (!checked.success) throw new UserError(checked.error.issues[0]?.message ?? "Fix the message first.");
  if (!merge.subject.trim()) throw new UserError("Subject: write a subject before starting.", "subject");
  if (!merge.body.trim()) throw new UserError("Body: write the message before starting.", "body");
  const report = await mergeReport(userId, mergeId, deps);
  if (!report) throw new UserError("That merge no longer exists.");
  if (report.included === 0) throw new UserError("Every recipient is skipped: include at least one before starting.");
  const lacking = report.fields.filter((field) => field.missing.length > 0);
  if (lacking.length > 0) {
    const first = lacking[0]!;
    throw new UserError(
      `${first.missing.length} ${first.missing.length === 1 ? "recipient has" : "recipients have"} no ${first.label}: set a fallback, skip them, or fill in their contacts before starting.`,
    );
  }
  const now = deps.now();
  const { count } = await deps.db.merge.updateMany({
    where: draft(userId, mergeId),
    data: { status: "RUNNING", startedAt: now, nextSendAt: merge.startAt && merge.startAt > now ? merge.startAt : now },
  });
  return count === 1 ? "started" : "already";
}

/** Pause stops handing recipients to the outbox (what it already holds, at most a second's worth, goes out). */
export async function pauseMerge(userId: string, mergeId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(mergeId)) return false;
  const { count } = await deps.db.merge.updateMany({
    where: { id: mergeId, userId, status: "RUNNING" },
    data: { status: "PAUSED", pausedAt: deps.now() },
  });
  return count === 1;
}

/** Resume continues at the merge's pace from now: the time it was paused is never made up in a burst. */
export async function resumeMerge(userId: string, mergeId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(mergeId)) return false;
  const now = deps.now();
  const { count } = await deps.db.merge.updateMany({
    where: { id: mergeId, userId, status: "PAUSED" },
    data: { status: "RUNNING", pausedAt: null, nextSendAt: now },
  });
  return count === 1;
}

/**
 * Cancel: nothing more is sent. Recipients not yet handed over are skipped, and messages the outbox
 * has not started are cancelled there too; one already on its way to Gmail is left to finish.
 */
export async function cancelMerge(userId: string, mergeId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(mergeId)) return false;
  const { db } = deps;
  return db.$transaction(async (tx) => {
    const { count } = await tx.merge.updateMany({
      where: { id: mergeId, userId, status: { in: ["DRAFT", "RUNNING", "PAUSED"] } },
      data: { status: "CANCELLED", finishedAt: deps.now() },
    });
    if (count !== 1) return false;
    await tx.mergeRecipient.updateMany({
      where: { mergeId, state: "PENDING" },
      data: { state: "SKIPPED", skipReason: "The merge was cancelled." },
    });
    await tx.message.updateMany({
      where: { mergeId, userId, status: { in: ["QUEUED", "SCHEDULED", "WAITING_FOR_RECONNECT"] }, leaseId: null },
      data: { status: "CANCELLED", nextAttemptAt: null, lastError: "The merge was cancelled." },
    });
    return true;
  });
}

/** Deletes a draft that was never started (its ledger goes with it). */
export async function deleteDraftMerge(userId: string, mergeId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(mergeId)) return false;
  const { count } = await deps.db.merge.deleteMany({ where: draft(userId, mergeId) });
  return count === 1;
}

/** Replaces the draft's files (every recipient's message carries the same ones). */
export async function replaceMergeAttachments(
  userId: string,
  mergeId: string,
  files: Array<{ filename: string; contentType: string; content: Buffer }>,
  deps: AppDeps = appDeps(),
) {
  if (!isRecordId(mergeId) || !(await deps.db.merge.findFirst({ where: draft(userId, mergeId), select: { id: true } })))
    throw new UserError(NOT_A_DRAFT);
  await deps.db.$transaction([
    deps.db.mergeAttachment.deleteMany({ where: { mergeId } }),
    deps.db.mergeAttachment.createMany({
      data: files.map((file) => ({
        mergeId,
        filename: file.filename,
        contentType: file.contentType,
        size: file.content.length,
        content: Uint8Array.from(file.content),
      })),
    }),
  ]);
}
