import { randomBytes } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";
import mimeFuncs from "nodemailer/lib/mime-funcs";
import type MimeNode from "nodemailer/lib/mime-node";
import { parseMailbox, type Mailbox } from "./email-address";

/**
 * One message as RFC 5322 bytes, built by nodemailer's MailComposer (pure: no network). UTF-8 names
 * and subjects are RFC 2047-encoded by it; Bcc is kept, because Gmail takes recipients from the
 * headers and removes Bcc from the copies it delivers. Form values are validated before they get here
 * (lib/mail/compose.ts refuses control characters); MailComposer folds and encodes, it does not judge.
 */

export type MimeAttachment = { filename: string; contentType: string; content: Buffer };

export type MimeInput = {
  from?: { name?: string | null; address: string };
  /** Recipients as stored: `address` or `Name <address>` (lib/mail/email-address.ts, formatMailbox). */
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  attachments?: MimeAttachment[];
  /** Our Message-ID, generated once and kept, so a follow-up can reference it. */
  messageId: string;
  /** The Message-ID of the message we sent that this one follows up. */
  inReplyTo?: string | null;
  /** The conversation's Message-IDs, oldest first; In-Reply-To alone when absent. */
  references?: string[];
  date?: Date;
  /** One-click unsubscribe (RFC 8058): the recipient's http(s) link, sent as List-Unsubscribe with List-Unsubscribe-Post. */
  listUnsubscribe?: string;
};

// CR, LF and every other control character, plus Unicode line and paragraph separators: none may
// reach a header, where they could start a new one.
export const HEADER_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// An RFC 2047 encoded word typed by the user would be decoded by the recipient's client, newlines included.
export const ENCODED_WORD = /=\?[^?\s]+\?[bq]\?/i;

/**
 * A name as From, To, Cc or Bcc shows it. The sender's comes from the Google profile, not from a form,
 * and a recipient's was checked when stored, so each is made safe here: line breaks and controls become
 * spaces, runs of spaces one, and a name holding an encoded word is left out (the address alone), since
 * the recipient's client would decode it into text we never wrote.
 */
export function safeDisplayName(name: string | null | undefined): string {
  const plain = [...(name ?? "")]
    .map((char) => (HEADER_CONTROL.test(char) ? " " : char))
    .join("")
    .replace(/ {2,}/g, " ")
    .trim();
  return ENCODED_WORD.test(plain) ? "" : plain;
}

/** A Message-ID on the sender's own domain, as mail clients make them. */
export function newMessageId(senderAddress: string): string {
  const domain = senderAddress.split("@")[1] || "evergreen.invalid";
  return `<${Date.now().toString(36)}.${randomBytes(12).toString("hex")}@${domain}>`;
}

export async function buildMime(input: MimeInput): Promise<Buffer> {
  return composeMime(input).build();
}

/** The message before it becomes bytes; its envelope is the recipients it is addressed to. */
export function composeMime(input: MimeInput): MimeNode {
  const composer = new MailComposer({
    from: input.from ? { name: safeDisplayName(input.from.name), address: input.from.address } : undefined,
    to: input.to.map(mailbox),
    cc: input.cc.length > 0 ? input.cc.map(mailbox) : undefined,
    bcc: input.bcc.length > 0 ? input.bcc.map(mailbox) : undefined,
    subject: input.subject,
    text: input.text,
    html: textToHtml(input.text),
    messageId: input.messageId,
    date: input.date ?? new Date(),
    ...(input.inReplyTo
      ? { inReplyTo: input.inReplyTo, references: input.references?.length ? input.references : [input.inReplyTo] }
      : {}),
    attachments: input.attachments?.map((file) => ({
      filename: file.filename,
      contentType: file.contentType,
      content: file.content,
    })),
    textEncoding: "quoted-printable",
    ...(input.listUnsubscribe ? { headers: listUnsubscribeHeaders(input.listUnsubscribe) } : {}),
  });
  const node = composer.compile();
  node.keepBcc = true;
  for (const part of node.childNodes) if (part.filename) quoteFileName(part, part.filename);
  return node;
}

// A link we made (lib/outreach/unsubscribe.ts): nothing in it may end the <…> or the header.
const LIST_URL = /^https?:\/\/[\x21-\x7e]+$/;

/**
 * Exactly `List-Unsubscribe: <url>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, each on
 * one line: a header is folded only at whitespace, and one break before the <…> is one more thing a
 * receiver's parser could get wrong. The link is short (origin plus 70 characters), far under 998.
 */
function listUnsubscribeHeaders(url: string) {
  if (!LIST_URL.test(url) || /[<>,\s]/.test(url) || url.length > 900) throw new Error("not a List-Unsubscribe URL");
  return {
    "List-Unsubscribe": { prepared: true, value: `<${url}>` },
    "List-Unsubscribe-Post": { prepared: true, value: "List-Unsubscribe=One-Click" },
  };
}

// Handed over as name and address, never as text for nodemailer to parse, so a name cannot add a recipient;
// MailComposer quotes or RFC 2047-encodes the name.
function mailbox(recipient: string): Mailbox {
  const { name, address } = parseMailbox(recipient);
  return { name: safeDisplayName(name), address };
}

type PreparedHeader = { prepared: true; foldLines: true; value: string };

/**
 * MailComposer writes a file's name into Content-Type as name="…" without escaping quotes or
 * backslashes (nodemailer PR #1837), so a name like `a"; name="evil.exe` would add a parameter. Both
 * headers that carry the name are written here instead, quoted or RFC 2231-encoded as the standard says.
 */
function quoteFileName(part: MimeNode, filename: string) {
  const set = part.setHeader as unknown as (key: string, value: PreparedHeader) => MimeNode;
  const header = (value: string, params: Record<string, string>): PreparedHeader => ({
    prepared: true,
    foldLines: true,
    value: mimeFuncs.buildHeaderValue({ value, params }),
  });
  set.call(part, "Content-Type", header(String(part.getHeader("Content-Type")), { name: filename }));
  set.call(part, "Content-Disposition", header("attachment", { filename }));
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
// http(s) links only; a trailing full stop, comma or bracket belongs to the sentence, not the link.
const LINK = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** The HTML alternative of a plain-text body: escaped, line breaks kept, web links made clickable. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\r?\n/).map((line) => {
    let html = "";
    let last = 0;
    for (const match of line.matchAll(LINK)) {
      html += escapeHtml(line.slice(last, match.index));
      const url = escapeHtml(match[0]);
      html += `<a href="${url}">${url}</a>`;
      last = match.index + match[0].length;
    }
    return html + escapeHtml(line.slice(last));
  });
  return `<div style="white-space:pre-wrap">${paragraphs.join("<br>")}</div>`;
}
