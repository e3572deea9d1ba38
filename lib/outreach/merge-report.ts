import { isRecordId, type MessageStatus } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { sendingPace } from "../mail/pacing";
import { checkTemplateText, mergeValuesOf, renderTemplate, type MergeField } from "./templates";
import { fallbacksOf, windowOf } from "./merge-rules";
import { forecastSends, type Forecast } from "./merge-schedule";

/**
 * What a merge's page shows: the report before anything is sent (who lacks which field, who is
 * excluded and why, a preview as any recipient gets it), and while it runs the ledger, the progress
 * and the forecast. Reads only, each scoped to the user: another user's merge is "not found".
 */

export const FIELD_LABELS: Record<MergeField, string> = {
  first_name: "first name",
  last_name: "last name",
  name: "name",
  company: "company",
  title: "title",
  email: "email",
  my_first_name: "first name of yours (your Google account's name)",
};

const contactSelect = { id: true, name: true, firstName: true, email: true, company: true, title: true } as const;
type RecipientContact = { id: string; name: string; firstName: string; email: string; company: string; title: string };
type LedgerRow = {
  id: string;
  position: number;
  email: string;
  contactId: string | null;
  state: "PENDING" | "QUEUED" | "SKIPPED";
  skipReason: string | null;
  contact: RecipientContact | null;
};

async function loadMerge(userId: string, mergeId: string, deps: AppDeps) {
  if (!isRecordId(mergeId)) return null;
  return deps.db.merge.findFirst({
    where: { id: mergeId, userId },
    include: {
      user: { select: { name: true, email: true } },
      attachments: { select: { id: true, filename: true, size: true, contentType: true } },
    },
  });
}
export type MergeRow = NonNullable<Awaited<ReturnType<typeof loadMerge>>>;

/** The values a recipient's merge fields take: the contact as it is now (it may have been edited since). */
export function valuesFor(row: Pick<LedgerRow, "email" | "contact">, sender: { name: string | null }) {
  const contact = row.contact ?? { name: "", firstName: "", email: row.email, company: "", title: "" };
  return mergeValuesOf(contact, sender);
}

/** One recipient's message: subject and body rendered, and the fields left empty. */
export function renderFor(
  merge: Pick<MergeRow, "subject" | "body" | "fallbacks"> & { user: { name: string | null } },
  row: Pick<LedgerRow, "email" | "contact">,
) {
  const values = valuesFor(row, merge.user);
  const fallbacks = fallbacksOf(merge.fallbacks);
  const subject = renderTemplate(merge.subject, values, fallbacks);
  const body = renderTemplate(merge.body, values, fallbacks);
  return { subject: subject.text, body: body.text, missing: [...new Set([...subject.missing, ...body.missing])] };
}

export type MissingRecipient = { recipientId: string; contactId: string | null; name: string; email: string };

export type MergeReport = {
  merge: MergeRow;
  total: number;
  included: number;
  excluded: { unsubscribed: number; duplicates: number; skippedByYou: number; other: number };
  /** Per merge field used, who would get it empty (no value, no fallback). */
  fields: Array<{ field: MergeField; label: string; fallback?: string; missing: MissingRecipient[] }>;
  skippedRows: Array<{ recipientId: string; name: string; email: string; reason: string }>;
};

function loadLedger(mergeId: string, deps: AppDeps): Promise<LedgerRow[]> {
  return deps.db.mergeRecipient.findMany({
    where: { mergeId },
    orderBy: { position: "asc" },
    select: {
      id: true,
      position: true,
      email: true,
      contactId: true,
      state: true,
      skipReason: true,
      contact: { select: contactSelect },
    },
  }) as Promise<LedgerRow[]>;
}

/** The report shown before the start: counted, grouped, and every recipient rendered once. */
export async function mergeReport(
  userId: string,
  mergeId: string,
  deps: AppDeps = appDeps(),
): Promise<MergeReport | null> {
  const merge = await loadMerge(userId, mergeId, deps);
  if (!merge) return null;
  const ledger = await loadLedger(mergeId, deps);
  const excluded = { unsubscribed: 0, duplicates: 0, skippedByYou: 0, other: 0 };
  const missingBy = new Map<MergeField, MissingRecipient[]>();
  const skippedRows: MergeReport["skippedRows"] = [];
  let included = 0;
  const fallbacks = fallbacksOf(merge.fallbacks);
  for (const row of ledger) {
    const name = row.contact?.name || row.email;
    if (row.state === "SKIPPED") {
      const reason = row.skipReason ?? "Skipped";
      if (reason.startsWith("Unsubscribed")) excluded.unsubscribed += 1;
      else if (reason.startsWith("Duplicate")) excluded.duplicates += 1;
      else if (reason.startsWith("Skipped by you")) excluded.skippedByYou += 1;
      else excluded.other += 1;
      skippedRows.push({ recipientId: row.id, name, email: row.email.split("#")[0]!, reason });
      continue;
    }
    included += 1;
    for (const field of renderFor(merge, row).missing) {
      const list = missingBy.get(field) ?? [];
      list.push({ recipientId: row.id, contactId: row.contactId, name, email: row.email });
      missingBy.set(field, list);
    }
  }
  const used = usedFields(merge.subject, merge.body);
  return {
    merge,
    total: ledger.length,
    included,
    excluded,
    fields: used.map((field) => ({
      field,
      label: FIELD_LABELS[field],
      fallback: fallbacks[field],
      missing: missingBy.get(field) ?? [],
    })),
    skippedRows,
  };
}

/** The fields a message uses, each once, in order of first use (an unparsable text uses none). */
function usedFields(subject: string, body: string): MergeField[] {
  const fields = [subject, body].flatMap((text) => {
    const checked = checkTemplateText(text);
    return checked.ok ? checked.uses.map((use) => use.field) : [];
  });
  return [...new Set(fields)];
}

/** The message as the recipient at `index` (0-based, in ledger order, skipped ones included) gets it. */
export async function mergePreview(userId: string, mergeId: string, index: number, deps: AppDeps = appDeps()) {
  const merge = await loadMerge(userId, mergeId, deps);
  if (!merge) return null;
  const count = await deps.db.mergeRecipient.count({ where: { mergeId } });
  if (count === 0) return null;
  const shown = Math.min(Math.max(0, Math.floor(index)), count - 1);
  const row = (await deps.db.mergeRecipient.findFirst({
    where: { mergeId },
    orderBy: { position: "asc" },
    skip: shown,
    select: {
      id: true,
      email: true,
      contactId: true,
      state: true,
      skipReason: true,
      position: true,
      contact: { select: contactSelect },
    },
  })) as LedgerRow | null;
  if (!row) return null;
  const rendered = renderFor(merge, row);
  return {
    index: shown,
    count,
    recipient: {
      name: row.contact?.name ?? "",
      email: row.email.split("#")[0]!,
      skipped: row.state === "SKIPPED",
      skipReason: row.skipReason,
    },
    ...rendered,
  };
}

export type LedgerState = "pending" | "sending" | "sent" | "failed" | "unknown" | "skipped" | "cancelled" | "waiting";

/** A ledger row's state: the row's own until it is handed to the outbox, then its message's. */
export function ledgerState(state: LedgerRow["state"], message: { status: MessageStatus } | null): LedgerState {
  if (state === "SKIPPED") return "skipped";
  if (!message) return "pending";
  switch (message.status) {
    case "SENT":
      return "sent";
    case "FAILED":
      return "failed";
    case "UNKNOWN":
      return "unknown";
    case "CANCELLED":
      return "cancelled";
    case "WAITING_FOR_RECONNECT":
      return "waiting";
    case "SENDING":
      return "sending";
    default:
      return "pending";
  }
}

export const LEDGER_PAGE_SIZE = 100;

/** One page of the ledger: each recipient with its outcome (Gmail's ids when sent, the reason when not). */
export async function mergeLedger(userId: string, mergeId: string, page: number, deps: AppDeps = appDeps()) {
  if (!isRecordId(mergeId)) return null;
  const owned = await deps.db.merge.findFirst({ where: { id: mergeId, userId }, select: { id: true } });
  if (!owned) return null;
  const total = await deps.db.mergeRecipient.count({ where: { mergeId } });
  const pageCount = Math.max(1, Math.ceil(total / LEDGER_PAGE_SIZE));
  const shown = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const rows = await deps.db.mergeRecipient.findMany({
    where: { mergeId },
    orderBy: { position: "asc" },
    skip: (shown - 1) * LEDGER_PAGE_SIZE,
    take: LEDGER_PAGE_SIZE,
    select: {
      id: true,
      email: true,
      state: true,
      skipReason: true,
      contact: { select: { id: true, name: true } },
      message: {
        select: {
          id: true,
          status: true,
          subject: true,
          gmailMessageId: true,
          gmailThreadId: true,
          lastError: true,
          sentAt: true,
          nextAttemptAt: true,
        },
      },
    },
  });
  return {
    total,
    page: shown,
    pageCount,
    rows: rows.map((row) => ({
      id: row.id,
      email: row.email.split("#")[0]!,
      contact: row.contact,
      state: ledgerState(row.state, row.message),
      reason:
        row.state === "SKIPPED"
          ? row.skipReason
          : row.message?.status === "SENT"
            ? null
            : (row.message?.lastError ?? null),
      message: row.message,
    })),
  };
}

export type MergeProgress = {
  total: number;
  sent: number;
  pending: number;
  inFlight: number;
  failed: number;
  unknown: number;
  skipped: number;
  cancelled: number;
  waitingForReconnect: boolean;
  nextSendAt?: Date;
  forecast: Forecast;
  failures: Array<{ email: string; reason: string }>;
};

const IN_FLIGHT: MessageStatus[] = ["QUEUED", "SCHEDULED", "SENDING", "WAITING_FOR_RECONNECT"];

/** Sent n of N, what is left and when it goes, failures with reasons: computed fresh on every view. */
export async function mergeProgress(
  userId: string,
  mergeId: string,
  deps: AppDeps = appDeps(),
): Promise<MergeProgress | null> {
  const merge = await loadMerge(userId, mergeId, deps);
  if (!merge) return null;
  const { db } = deps;
  const [byState, byMessage, account, pace, failures] = await Promise.all([
    db.mergeRecipient.groupBy({ by: ["state"], where: { mergeId }, _count: { _all: true } }),
    db.message.groupBy({ by: ["status"], where: { mergeId, userId }, _count: { _all: true } }),
    db.account.findFirst({
      where: { userId, provider: "google" },
      orderBy: { createdAt: "asc" },
      select: { status: true },
    }),
    sendingPace(userId, deps),
    db.message.findMany({
      where: { mergeId, userId, status: { in: ["FAILED", "UNKNOWN"] } },
      orderBy: { updatedAt: "desc" },
      take: 20,
      select: { to: true, lastError: true },
    }),
  ]);
  const rowCount = (state: string) => byState.find((row) => row.state === state)?._count._all ?? 0;
  const messageCount = (...statuses: MessageStatus[]) =>
    byMessage.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + row._count._all, 0);
  const pending = rowCount("PENDING");
  const inFlight = messageCount(...IN_FLIGHT);
  const connected = account?.status === "CONNECTED";
  const running = merge.status === "RUNNING" || merge.status === "DRAFT";
  const now = deps.now();
  const from = new Date(Math.max(now.getTime(), merge.nextSendAt?.getTime() ?? 0, merge.startAt?.getTime() ?? 0));
  return {
    total: byState.reduce((sum, row) => sum + row._count._all, 0),
    sent: messageCount("SENT"),
    pending,
    inFlight,
    failed: messageCount("FAILED"),
    unknown: messageCount("UNKNOWN"),
    skipped: rowCount("SKIPPED"),
    cancelled: messageCount("CANCELLED"),
    waitingForReconnect: merge.status === "RUNNING" && !connected && pending + inFlight > 0,
    nextSendAt: merge.status === "RUNNING" && pending > 0 ? from : undefined,
    forecast: running
      ? forecastSends({
          remaining: pending + inFlight,
          from,
          dailyLimit: pace.dailyLimit,
          sentInLastDay: pace.lastDay,
          window: windowOf(merge),
        })
      : { days: [] },
    failures: failures.map((message) => ({
      email: (message.to as string[])[0] ?? "",
      reason: message.lastError ?? "Gmail gave no reason.",
    })),
  };
}

/** The user's merges, newest first, with sent and total counts. */
export async function listMerges(userId: string, deps: AppDeps = appDeps()) {
  const merges = await deps.db.merge.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, name: true, status: true, audience: true, createdAt: true, startedAt: true, finishedAt: true },
  });
  const ids = merges.map((merge) => merge.id);
  const [totals, sent] = await Promise.all([
    deps.db.mergeRecipient.groupBy({ by: ["mergeId"], where: { mergeId: { in: ids } }, _count: { _all: true } }),
    deps.db.message.groupBy({
      by: ["mergeId"],
      where: { userId, mergeId: { in: ids }, status: "SENT" },
      _count: { _all: true },
    }),
  ]);
  return merges.map((merge) => ({
    ...merge,
    total: totals.find((row) => row.mergeId === merge.id)?._count._all ?? 0,
    sent: sent.find((row) => row.mergeId === merge.id)?._count._all ?? 0,
  }));
}

/** Running merges held because Gmail needs reconnecting, for the dashboard. */
export async function mergesWaitingForReconnect(userId: string, deps: AppDeps = appDeps()) {
  const account = await deps.db.account.findFirst({
    where: { userId, provider: "google" },
    orderBy: { createdAt: "asc" },
    select: { status: true },
  });
  if (account?.status === "CONNECTED") return [];
  return deps.db.merge.findMany({
    where: { userId, status: "RUNNING" },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true },
  });
}
