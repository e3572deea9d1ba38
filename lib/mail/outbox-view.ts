import type { MessageStatus } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";

/**
 * The outbox as the user sees it: the filters, the count in each, the page's list, and the latest sent
 * messages the dashboard shows. Reads only; the writes are lib/mail/messages.ts.
 */

export type OutboxFilter = "all" | "scheduled" | "queued" | "waiting" | "failed" | "unknown" | "sent";

const FILTER_STATUSES: Record<Exclude<OutboxFilter, "all">, MessageStatus[]> = {
  scheduled: ["SCHEDULED"],
  queued: ["QUEUED", "SENDING"],
  waiting: ["WAITING_FOR_RECONNECT"],
  failed: ["FAILED"],
  unknown: ["UNKNOWN"],
  sent: ["SENT"],
};

export function parseOutboxFilter(value: unknown): OutboxFilter {
  return typeof value === "string" && (value === "all" || Object.hasOwn(FILTER_STATUSES, value))
    ? (value as OutboxFilter)
    : "all";
}

export type OutboxItem = {
  id: string;
  status: MessageStatus;
  to: string[];
  subject: string;
  dueAt: Date | null;
  sentAt: Date | null;
  lastError: string | null;
  attempts: number;
  updatedAt: Date;
  gmailThreadId: string | null;
};

const OUTBOX_PAGE_SIZE = 50;

/** How many of the user's messages are in each state the outbox filters by (one grouped count). */
export async function outboxCounts(
  userId: string,
  deps: AppDeps = appDeps(),
): Promise<Record<Exclude<OutboxFilter, "all">, number>> {
  const counts = await deps.db.message.groupBy({ by: ["status"], where: { userId }, _count: { _all: true } });
  const countOf = (statuses: MessageStatus[]) =>
    counts.filter((count) => statuses.includes(count.status)).reduce((sum, count) => sum + count._count._all, 0);
  return Object.fromEntries(
    Object.entries(FILTER_STATUSES).map(([name, statuses]) => [name, countOf(statuses)]),
  ) as Record<Exclude<OutboxFilter, "all">, number>;
}

/** The user's messages for the outbox page, newest change first, drafts and dismissed ones left out. */
export async function listOutbox(userId: string, filter: OutboxFilter = "all", deps: AppDeps = appDeps()) {
  const statuses = filter === "all" ? undefined : FILTER_STATUSES[filter];
  const [rows, counts] = await Promise.all([
    deps.db.message.findMany({
      where: { userId, status: statuses ? { in: statuses } : { notIn: ["DRAFT", "CANCELLED"] } },
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      take: OUTBOX_PAGE_SIZE,
      select: {
        id: true,
        status: true,
        to: true,
        subject: true,
        nextAttemptAt: true,
        sentAt: true,
        lastError: true,
        attempts: true,
        updatedAt: true,
        gmailThreadId: true,
      },
    }),
    outboxCounts(userId, deps),
  ]);
  const items: OutboxItem[] = rows.map(({ nextAttemptAt, to, ...row }) => ({
    ...row,
    to: to as string[],
    dueAt: nextAttemptAt,
  }));
  return { items, counts };
}

/** The user's latest sent messages, for the dashboard's recent activity. */
export async function recentlySent(userId: string, take = 5, deps: AppDeps = appDeps()) {
  const rows = await deps.db.message.findMany({
    where: { userId, status: "SENT" },
    orderBy: [{ sentAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, subject: true, to: true, sentAt: true, contactId: true },
  });
  return rows.map(({ to, ...row }) => ({ ...row, to: to as string[] }));
}
