import { randomBytes } from "node:crypto";
import { simpleParser } from "mailparser";
import type { EmulatorContext } from "../context";
import type { IncomingKind, SentMessage, User } from "../state";
import { splitMessage } from "./message-rewrite";
import { headerMap, randomHexId } from "./send";
import { threadMessages } from "./threads";

/** Which header marks an auto-reply: the RFC 3834 one, or one of the older conventions. */
export const AUTO_REPLY_MARKERS = {
  "auto-submitted": "Auto-Submitted: auto-replied",
  "x-autoreply": "X-Autoreply: yes",
  "precedence-bulk": "Precedence: bulk",
  "precedence-auto_reply": "Precedence: auto_reply",
} as const;
export type AutoReplyMarker = keyof typeof AUTO_REPLY_MARKERS;

export interface IncomingMail {
  kind: IncomingKind;
  /** Sender address (reply, auto-reply); a bounce always comes from the mailer daemon. */
  from?: string;
  fromName?: string;
  text?: string;
  subject?: string;
  /** ISO date; defaults to the emulator's clock. */
  at?: string;
  /** auto-reply only. */
  marker?: AutoReplyMarker;
  /** bounce only: the address that failed; defaults to the original's first recipient. */
  recipient?: string;
}

const MAILER_DAEMON = "mailer-daemon@googlemail.com";
const DEFAULT_TEXT: Record<IncomingKind, string> = {
  reply: "Thanks for your email. Happy to talk next week.",
  "auto-reply": "I am out of the office until Monday and will answer your email when I am back.",
  bounce: "",
};

const rfc2822Date = (ms: number) => new Date(ms).toUTCString().replace("GMT", "+0000");
const isAscii = (value: string) => /^[\x20-\x7e]*$/.test(value);
const encodeWord = (value: string) =>
  isAscii(value) ? value : `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=`;
const mailbox = (address: string, name?: string) =>
  name ? `${isAscii(name) ? `"${name.replace(/(["\\])/g, "\\$1")}"` : encodeWord(name)} <${address}>` : address;
const replySubject = (subject: string) => `Re: ${subject.replace(/^((re|fwd?|aw|wg)\s*:\s*)+/i, "").trim()}`;

/**
 * Delivers a message into an existing thread as if someone answered it: labels INBOX and UNREAD,
 * In-Reply-To and References pointing at the thread's last message (a bounce: at the user's last sent
 * one). Undefined when no mailbox has that thread.
 */
export async function deliverToThread(
  ctx: EmulatorContext,
  threadId: string,
  mail: IncomingMail,
): Promise<SentMessage | undefined> {
  const { state } = ctx;
  const owner = state.messages.find((m) => m.threadId === threadId);
  const user = owner && state.users.get(owner.userSub);
  if (!owner || !user) return undefined;
  const thread = threadMessages(state.messages, user.sub, threadId);
  const last = thread[thread.length - 1] ?? owner;
  const sent = thread.filter((m) => !m.incoming);
  const parent = mail.kind === "bounce" ? (sent[sent.length - 1] ?? last) : last;
  const at = mail.at !== undefined ? Date.parse(mail.at) : state.clock.now();

  const raw =
    mail.kind === "bounce" ? bounceMessage(user, parent, mail, at) : replyMessage(user, thread, parent, mail, at);
  const parsed = await simpleParser(Buffer.from(raw, "utf8"), { skipImageLinks: true });
  const fromAddress = parsed.from?.value[0]?.address ?? "";
  const message: SentMessage = {
    id: randomHexId(at),
    threadId,
    userSub: user.sub,
    from: parsed.from?.text ?? fromAddress,
    envelope: { from: mail.kind === "bounce" ? "" : fromAddress, to: [user.email] },
    labelIds: ["INBOX", "UNREAD"],
    headers: headerMap(parsed),
    messageId: parsed.messageId ?? "",
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : null,
    raw,
    sentAt: at,
    historyId: state.historyId + 1,
    incoming: mail.kind,
  };
  state.messages.push(message);
  state.historyId += 1;
  return message;
}

function threadingHeaders(parent: SentMessage): string[] {
  const references = [parent.headers.references ?? "", parent.messageId].filter(Boolean).join(" ");
  return [`In-Reply-To: ${parent.messageId}`, `References: ${references}`];
}

function bodyHeaders(text: string): string[] {
  return ['Content-Type: text/plain; charset="UTF-8"', `Content-Transfer-Encoding: ${isAscii(text) ? "7bit" : "8bit"}`];
}

function replyMessage(user: User, thread: SentMessage[], parent: SentMessage, mail: IncomingMail, at: number): string {
  const from = mail.from ?? "";
  const domain = from.split("@")[1] ?? "example.com";
  const text = mail.text ?? DEFAULT_TEXT[mail.kind];
  const subject = mail.subject ?? replySubject(thread[0]?.subject ?? parent.subject);
  return [
    `Delivered-To: ${user.email}`,
    `Received: from mail.${domain} by mx.google.com with ESMTPS; ${rfc2822Date(at)}`,
    "MIME-Version: 1.0",
    `From: ${mailbox(from, mail.fromName)}`,
    `Date: ${rfc2822Date(at)}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@${domain}>`,
    ...threadingHeaders(parent),
    ...(mail.kind === "auto-reply" ? [AUTO_REPLY_MARKERS[mail.marker ?? "auto-submitted"]] : []),
    `Subject: ${encodeWord(subject)}`,
    `To: ${mailbox(user.email, user.name)}`,
    ...bodyHeaders(text),
    "",
    text,
    "",
  ].join("\r\n");
}

/** A delivery-status notification as Gmail's mailer daemon sends it (RFC 3464 multipart/report). */
function bounceMessage(user: User, original: SentMessage, mail: IncomingMail, at: number): string {
  const recipient = mail.recipient ?? original.envelope.to[0] ?? "unknown@example.com";
  const text =
    mail.text ??
    `** Address not found **\r\n\r\nYour message wasn't delivered to ${recipient} because the address couldn't be found, or is unable to receive mail.`;
  const boundary = `000000000000${randomBytes(8).toString("hex")}`;
  const originalHeaders = splitMessage(Buffer.from(original.raw, "utf8"))
    .headers.map((h) => Buffer.from(h.raw, "latin1").toString("utf8"))
    .join("\r\n");
  return [
    `Delivered-To: ${user.email}`,
    "Return-Path: <>",
    `Received: by mx.google.com with SMTP; ${rfc2822Date(at)}`,
    "MIME-Version: 1.0",
    `From: Mail Delivery Subsystem <${MAILER_DAEMON}>`,
    `To: ${user.email}`,
    "Auto-Submitted: auto-replied",
    "Subject: Delivery Status Notification (Failure)",
    ...threadingHeaders(original),
    `X-Failed-Recipients: ${recipient}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@mx.google.com>`,
    `Date: ${rfc2822Date(at)}`,
    `Content-Type: multipart/report; boundary="${boundary}"; report-type=delivery-status`,
    "",
    `--${boundary}`,
    ...bodyHeaders(text),
    "",
    text,
    "",
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; googlemail.com",
    `Arrival-Date: ${rfc2822Date(original.sentAt)}`,
    "",
    `Final-Recipient: rfc822; ${recipient}`,
    "Action: failed",
    "Status: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.",
    `Last-Attempt-Date: ${rfc2822Date(at)}`,
    "",
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
    originalHeaders,
    "",
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
