import { appDeps, type AppDeps } from "../platform/deps";

/**
 * A follow-up: a new message in the Gmail thread of one the user sent (the rule Gmail threads by is in
 * follow-up-rules.ts). Evergreen generated and kept every Message-ID and Gmail thread id, so a
 * follow-up's headers and thread come from its own records, never from the browser.
 */

/** The sent message a follow-up answers, as the compose page and the send need it. */
export type FollowUpSource = {
  id: string;
  to: string[];
  cc: string[];
  subject: string;
  sentAt: Date;
  rfc822MessageId: string;
  gmailThreadId: string;
  /** The conversation's earlier Message-IDs, oldest first (RFC 5322 §3.6.4). */
  references: string[];
};

/**
 * The user's own sent message with what a follow-up needs (its Gmail thread and Message-ID), or null:
 * another user's id, a message not sent (yet), or one sent before Evergreen kept these.
 */
export async function findFollowUpSource(
  userId: string,
  messageId: string,
  deps: Pick<AppDeps, "db"> = appDeps(),
): Promise<FollowUpSource | null> {
  const message = await deps.db.message.findFirst({
    where: { id: messageId, userId, status: "SENT", gmailThreadId: { not: null }, rfc822MessageId: { not: null } },
    select: {
      id: true,
      to: true,
      cc: true,
      subject: true,
      sentAt: true,
      createdAt: true,
      rfc822MessageId: true,
      gmailThreadId: true,
      references: true,
      inReplyTo: true,
    },
  });
  if (!message?.rfc822MessageId || !message.gmailThreadId) return null;
  const earlier = message.references?.split(" ").filter(Boolean) ?? (message.inReplyTo ? [message.inReplyTo] : []);
  return {
    id: message.id,
    to: message.to as string[],
    cc: message.cc as string[],
    subject: message.subject,
    sentAt: message.sentAt ?? message.createdAt,
    rfc822MessageId: message.rfc822MessageId,
    gmailThreadId: message.gmailThreadId,
    references: earlier,
  };
}
