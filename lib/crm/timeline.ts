import type { MessageStatus } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";

/**
 * The contact's timeline: the user's messages to one contact, newest first, each with where Gmail shows it.
 * Every query is scoped by the owner's id.
 */

export const TIMELINE_LIMIT = 50;

export type TimelineItem = {
  id: string;
  status: MessageStatus;
  subject: string;
  /** When it was sent, or else when it is due, or else when it last changed. */
  at: Date;
  lastError: string | null;
  /** Where Gmail shows it: set for a sent message, and for one whose sending is unknown (to check). */
  gmailUrl: string | null;
};

/**
 * A message in Gmail's web app, in the account that sent it. A sent message opens by its thread id
 * from Gmail's answer (the API's hex thread id is the one Gmail's own links use); one whose answer
 * was lost (UNKNOWN) has no thread id, so it opens a search for the Message-ID Evergreen wrote, which
 * finds it in Sent if it went out. `/u/<address>/` picks that account among several signed in.
 */
export function gmailMessageUrl(
  senderEmail: string | null,
  message: { status: MessageStatus; gmailThreadId: string | null; rfc822MessageId: string | null },
): string | null {
  const base = `https://mail.google.com/mail/u/${senderEmail ? encodeURIComponent(senderEmail) : "0"}/`;
  if (message.status === "SENT" && message.gmailThreadId && /^[0-9a-f]+$/i.test(message.gmailThreadId))
    return `${base}#sent/${message.gmailThreadId}`;
  if ((message.status === "SENT" || message.status === "UNKNOWN") && message.rfc822MessageId)
    return `${base}#search/${encodeURIComponent(`rfc822msgid:${message.rfc822MessageId.replace(/^<|>$/g, "")}`)}`;
  return null;
}

/**
 * The user's messages to this contact, newest first: linked to it, or with its address in To, Cc or
 * Bcc (so mail sent before the contact existed, or to an address it has since changed from, counts).
 */
export async function listContactMessages(
  userId: string,
  contact: { id: string; email: string },
  deps: AppDeps = appDeps(),
): Promise<TimelineItem[]> {
  const { db } = deps;
  const email = contact.email.toLowerCase();
  // Two index walks newest first, each stopping at the limit: the contact's address in MessageRecipient,
  // and messages linked to the contact. The same SQL on both engines.
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT "id" FROM (
      SELECT * FROM (
        SELECT m."id", m."createdAt" FROM "MessageRecipient" AS r JOIN "Message" AS m ON m."id" = r."messageId"
        WHERE r."userId" = ${userId} AND r."email" = ${email} AND m."status" NOT IN ('DRAFT', 'CANCELLED')
        ORDER BY r."createdAt" DESC, r."messageId" DESC
        LIMIT ${TIMELINE_LIMIT}
      ) AS "addressed"
      UNION
      SELECT * FROM (
        SELECT "id", "createdAt" FROM "Message"
        WHERE "contactId" = ${contact.id} AND "userId" = ${userId} AND "status" NOT IN ('DRAFT', 'CANCELLED')
        ORDER BY "createdAt" DESC, "id" DESC
        LIMIT ${TIMELINE_LIMIT}
      ) AS "linked"
    ) AS "timeline"
    ORDER BY "createdAt" DESC, "id" DESC
    LIMIT ${TIMELINE_LIMIT}`;
  if (rows.length === 0) return [];
  const [messages, sender] = await Promise.all([
    // By key alone (the ids are the user's): with userId too, SQLite without statistics walks all the
    // user's messages through the userId index instead of looking up 50 keys.
    db.message.findMany({
      where: { id: { in: rows.map((row) => row.id) } },
      select: {
        id: true,
        userId: true,
        status: true,
        subject: true,
        sentAt: true,
        nextAttemptAt: true,
        updatedAt: true,
        lastError: true,
        gmailThreadId: true,
        rfc822MessageId: true,
      },
    }),
    db.account.findFirst({
      where: { userId, provider: "google" },
      orderBy: { createdAt: "asc" },
      select: { email: true },
    }),
  ]);
  const byId = new Map(messages.filter((message) => message.userId === userId).map((message) => [message.id, message]));
  return rows.flatMap(({ id }) => {
    const message = byId.get(id);
    if (!message) return [];
    const due = message.status === "SCHEDULED" || message.status === "QUEUED" ? message.nextAttemptAt : null;
    return [
      {
        id: message.id,
        status: message.status,
        subject: message.subject,
        at: message.sentAt ?? due ?? message.updatedAt,
        lastError: message.lastError,
        gmailUrl: gmailMessageUrl(sender?.email ?? null, message),
      },
    ];
  });
}

export type TimelineReply = { enrolmentId: string; sequence: { id: string; name: string }; at: Date };

/** The contact's replies that stopped a sequence (seen by reply detection, or marked by the user), newest first. */
export async function listContactReplies(
  userId: string,
  contactId: string,
  deps: AppDeps = appDeps(),
): Promise<TimelineReply[]> {
  const rows = await deps.db.sequenceEnrolment.findMany({
    where: { userId, contactId, state: "REPLIED", repliedAt: { not: null } },
    orderBy: { repliedAt: "desc" },
    take: TIMELINE_LIMIT,
    select: { id: true, repliedAt: true, sequence: { select: { id: true, name: true } } },
  });
  return rows.map((row) => ({ enrolmentId: row.id, sequence: row.sequence, at: row.repliedAt! }));
}
