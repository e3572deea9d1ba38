import { randomBytes } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";

/**
 * One message as RFC 5322 bytes, built by nodemailer's MailComposer (pure: no network). UTF-8 names
 * and subjects are RFC 2047-encoded by it; Bcc is kept, because Gmail takes recipients from the
 * headers and removes Bcc from the copies it delivers. Values are validated before they get here
 * (lib/messages.ts refuses control characters); MailComposer folds and encodes, it does not judge.
 */

export type MimeAttachment = { filename: string; contentType: string; content: Buffer };

export type MimeInput = {
  from?: { name?: string | null; address: string };
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
  date?: Date;
};

/** A Message-ID on the sender's own domain, as mail clients make them. */
export function newMessageId(senderAddress: string): string {
  const domain = senderAddress.split("@")[1] || "evergreen.invalid";
  return `<${Date.now().toString(36)}.${randomBytes(12).toString("hex")}@${domain}>`;
}

export async function buildMime(input: MimeInput): Promise<Buffer> {
  const composer = new MailComposer({
    from: input.from ? { name: input.from.name ?? "", address: input.from.address } : undefined,
    to: input.to,
    cc: input.cc.length > 0 ? input.cc : undefined,
    bcc: input.bcc.length > 0 ? input.bcc : undefined,
    subject: input.subject,
    text: input.text,
    html: textToHtml(input.text),
    messageId: input.messageId,
    date: input.date ?? new Date(),
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo, references: [input.inReplyTo] } : {}),
    attachments: input.attachments?.map((file) => ({
      filename: file.filename,
      contentType: file.contentType,
      content: file.content,
    })),
    textEncoding: "quoted-printable",
  });
  const node = composer.compile();
  node.keepBcc = true;
  return node.build();
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
