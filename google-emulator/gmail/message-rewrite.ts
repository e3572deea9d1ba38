import { randomBytes } from "node:crypto";

interface HeaderField {
  name: string;
  /** The raw field as it appeared, including folded continuation lines, without the final line break. */
  raw: string;
}

export interface SplitMessage {
  headers: HeaderField[];
  body: Buffer;
  eol: string;
}

export function splitMessage(message: Buffer): SplitMessage {
  const crlf = message.indexOf("\r\n\r\n");
  const lf = message.indexOf("\n\n");
  const useCrlf = crlf !== -1 && (lf === -1 || crlf < lf);
  const eol = useCrlf ? "\r\n" : "\n";
  const end = useCrlf ? crlf : lf;
  const headerText = (end === -1 ? message : message.subarray(0, end)).toString("latin1");
  const body = end === -1 ? Buffer.alloc(0) : message.subarray(end + eol.length * 2);
  const headers: HeaderField[] = [];
  for (const line of headerText.split(eol)) {
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) last.raw += eol + line;
    else if (line.includes(":"))
      headers.push({ name: line.slice(0, line.indexOf(":")).trim().toLowerCase(), raw: line });
  }
  return { headers, body, eol };
}

export function joinMessage({ headers, body, eol }: SplitMessage): Buffer {
  return Buffer.concat([Buffer.from(headers.map((h) => h.raw).join(eol) + eol + eol, "latin1"), body]);
}

function encodeDisplayName(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/(["\\])/g, "\\$1")}"`;
  return `=?UTF-8?B?${Buffer.from(name, "utf8").toString("base64")}?=`;
}

export function gmailMessageId(): string {
  return `<CA${randomBytes(24).toString("base64url")}@mail.gmail.com>`;
}

/** What Gmail does on the way out: From forced to the account, Bcc dropped, Message-ID/Date added, Received prepended. */
export function rewriteOutgoing(
  message: Buffer,
  account: { email: string; name: string },
  displayName: string | undefined,
  now: Date,
): { raw: Buffer; messageId: string } {
  const split = splitMessage(message);
  const fromValue = `${encodeDisplayName(displayName || account.name)} <${account.email}>`;
  const kept = split.headers.filter((h) => h.name !== "bcc" && h.name !== "from");
  const existingId = kept
    .find((h) => h.name === "message-id")
    ?.raw.replace(/^[^:]*:\s*/, "")
    .replace(/\s+/g, "");
  const messageId = existingId || gmailMessageId();
  const added: HeaderField[] = [
    {
      name: "received",
      raw: `Received: from 127.0.0.1 by gmailapi.google.com with HTTPREST; ${now.toUTCString().replace("GMT", "+0000")}`,
    },
    { name: "from", raw: `From: ${fromValue}` },
  ];
  if (!existingId) added.push({ name: "message-id", raw: `Message-ID: ${messageId}` });
  if (!kept.some((h) => h.name === "date"))
    added.push({ name: "date", raw: `Date: ${now.toUTCString().replace("GMT", "+0000")}` });
  return { raw: joinMessage({ ...split, headers: [...added, ...kept] }), messageId };
}
