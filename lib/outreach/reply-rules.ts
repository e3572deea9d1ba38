/**
 * What the messages of a thread Evergreen started say about its recipient, from headers alone: a reply
 * from a person, a delivery failure, or auto-replies that change nothing. Pure; reply-detection.ts reads
 * the headers (lib/google/gmail.ts threadMetadata) and acts on the verdict.
 */

/** One message as threads.get format=metadata gives it: headers keyed by lower-case name. */
export type ThreadMessage = { internalDate: Date; labelIds?: string[]; headers: Record<string, string> };

export type ThreadVerdict = { reply?: { at: Date }; bounce?: { at: Date }; autoReplies: number };

// Delivery status notifications come from these mailboxes (RFC 3464 practice; Gmail's is mailer-daemon@googlemail.com).
const BOUNCE_SENDERS = new Set(["mailer-daemon", "postmaster"]);
// RFC 3834 and the older conventions vacation responders still use.
const AUTOMATIC_PRECEDENCE = new Set(["bulk", "auto_reply", "junk"]);

/** The address in a From header (`"Name" <a@b>` or `a@b`), lower-cased; "" when there is none. */
export function fromAddress(from: string | undefined): string {
  const value = (from ?? "").trim();
  const bracketed = /<([^<>]*)>\s*$/.exec(value);
  return (bracketed ? bracketed[1]! : value).trim().toLowerCase();
}

function isBounce(headers: Record<string, string>): boolean {
  const address = fromAddress(headers.from);
  const at = address.lastIndexOf("@");
  return BOUNCE_SENDERS.has(at === -1 ? address : address.slice(0, at));
}

function isAutomatic(headers: Record<string, string>): boolean {
  const autoSubmitted = headers["auto-submitted"]?.split(";")[0]?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== "no") return true;
  if (headers["x-autoreply"] !== undefined) return true;
  return AUTOMATIC_PRECEDENCE.has(headers.precedence?.trim().toLowerCase() ?? "");
}

/**
 * The thread's verdict for a sender whose own addresses are `ownAddresses`: their messages (and any
 * Gmail labelled SENT) are skipped; a bounce is looked for first, since bounces carry Auto-Submitted
 * too; an auto-reply is counted and ignored; anything else is a reply. The earliest of each counts.
 */
export function classifyThread(messages: ThreadMessage[], ownAddresses: string[]): ThreadVerdict {
  const own = new Set(ownAddresses.map((address) => address.trim().toLowerCase()));
  const verdict: ThreadVerdict = { autoReplies: 0 };
  const earliest = (current: { at: Date } | undefined, at: Date) => (current && current.at <= at ? current : { at });
  for (const message of messages) {
    if (message.labelIds?.includes("SENT") || own.has(fromAddress(message.headers.from))) continue;
    if (isBounce(message.headers)) verdict.bounce = earliest(verdict.bounce, message.internalDate);
    else if (isAutomatic(message.headers)) verdict.autoReplies += 1;
    else verdict.reply = earliest(verdict.reply, message.internalDate);
  }
  return verdict;
}
