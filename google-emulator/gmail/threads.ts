import type { EmulatorContext } from "../context";
import { json, type EmulatorRequest, type Reply } from "../http";
import { THREAD_BODY_SCOPES, THREAD_SCOPES } from "../oauth2/scopes";
import type { SentMessage } from "../state";
import { authorizeCall, spendUnits } from "./access";
import { badRequest, entityNotFound, metadataScopeFormat, userRateLimitExceeded } from "./errors";
import { splitMessage } from "./message-rewrite";

type ThreadFormat = "full" | "metadata" | "minimal";
const FORMATS: readonly string[] = ["full", "metadata", "minimal"];

interface Header {
  name: string;
  value: string;
}

/** users.threads.get: the user's thread, its messages oldest first, in the asked format (behaviour doc §16). */
export function handleThreadGet(ctx: EmulatorContext, req: EmulatorRequest, userId: string, threadId: string): Reply {
  const { state } = ctx;
  const auth = authorizeCall(ctx, req, userId, THREAD_SCOPES, "GetThread");
  if (!auth.ok) return auth.reply;
  const asked = (req.url.searchParams.get("format") ?? "full").toLowerCase();
  if (!FORMATS.includes(asked))
    return badRequest(`Invalid value at 'format' ("${asked}"): threads.get takes full, metadata or minimal`);
  const format = asked as ThreadFormat;
  // gmail.metadata (and the add-on metadata scope) never sees a body, nor what is made from one: the snippet.
  const bodies = auth.access.scopes.some((s) => THREAD_BODY_SCOPES.includes(s));
  if (format === "full" && !bodies) return metadataScopeFormat(format);
  if (!spendUnits(ctx, auth.user, state.config.threadGetUnitCost))
    return userRateLimitExceeded(state.config.unitQuotaStatus, "GetThread");

  const messages = threadMessages(state.messages, auth.user.sub, threadId);
  if (messages.length === 0) return entityNotFound();
  const wanted = req.url.searchParams.getAll("metadataHeaders").map((h) => h.trim().toLowerCase());
  const historyIdOf = (m: SentMessage) => m.historyId ?? state.historyId;
  return json(200, {
    id: threadId,
    historyId: String(Math.max(...messages.map(historyIdOf))),
    messages: messages.map((m) => messageResource(m, { format, wanted, bodies }, historyIdOf(m))),
  });
}

/** A user's messages in one thread, oldest first (internalDate, then the order they arrived). */
export function threadMessages(messages: SentMessage[], userSub: string, threadId: string): SentMessage[] {
  return messages
    .map((m, index) => ({ m, index }))
    .filter(({ m }) => m.userSub === userSub && m.threadId === threadId)
    .sort((a, b) => a.m.sentAt - b.m.sentAt || a.index - b.index)
    .map(({ m }) => m);
}

interface View {
  format: ThreadFormat;
  /** Lower-cased metadataHeaders; empty for all. */
  wanted: string[];
  /** The token may read bodies (not only gmail.metadata). */
  bodies: boolean;
}

function messageResource(m: SentMessage, { format, wanted, bodies }: View, historyId: number) {
  const headers = messageHeaders(m.raw);
  const mimeType = contentType(headers);
  const listed = wanted.length ? headers.filter((h) => wanted.includes(h.name.toLowerCase())) : headers;
  const payload =
    format === "minimal"
      ? undefined
      : format === "metadata"
        ? bodies
          ? { partId: "", mimeType, filename: "", headers: listed }
          : { partId: "", headers: listed }
        : fullPayload(m, headers, mimeType);
  return {
    id: m.id,
    threadId: m.threadId,
    labelIds: m.labelIds,
    ...(bodies ? { snippet: snippetOf(m.text) } : {}),
    ...(payload ? { payload } : {}),
    sizeEstimate: Buffer.byteLength(m.raw, "utf8"),
    historyId: String(historyId),
    internalDate: String(m.sentAt),
  };
}

/** The stored message's header fields in order, names as written, values unfolded and decoded (RFC 2047). */
export function messageHeaders(raw: string): Header[] {
  return splitMessage(Buffer.from(raw, "utf8")).headers.map((field) => {
    const line = Buffer.from(field.raw, "latin1").toString("utf8");
    const colon = line.indexOf(":");
    return {
      name: line.slice(0, colon).trim(),
      value: decodeEncodedWords(
        line
          .slice(colon + 1)
          .replace(/\r?\n[ \t]+/g, " ")
          .trim(),
      ),
    };
  });
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

export function decodeEncodedWords(value: string): string {
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const joined = value.replace(/(\?=)\s+(?==\?)/g, "$1");
  return joined.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    const bytes =
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64")
        : Buffer.from(
            text
              .replace(/_/g, " ")
              .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            "latin1",
          );
    try {
      return new TextDecoder(charset.replace(/\*.*$/, "")).decode(bytes);
    } catch {
      return word;
    }
  });
}

function contentType(headers: Header[]): string {
  const value = headers.find((h) => h.name.toLowerCase() === "content-type")?.value ?? "text/plain";
  return (value.split(";")[0] ?? "text/plain").trim().toLowerCase();
}

const SNIPPET_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Gmail's snippet: the start of the plain text, whitespace collapsed, HTML-escaped. */
function snippetOf(text: string): string {
  const plain = text.replace(/\s+/g, " ").trim();
  const cut = plain.length > 200 ? plain.slice(0, 200).replace(/\s\S*$/, "") : plain;
  return cut.replace(/[&<>"']/g, (c) => SNIPPET_ESCAPES[c] ?? c);
}

function bodyOf(content: string) {
  const bytes = Buffer.from(content, "utf8");
  return { size: bytes.length, data: bytes.toString("base64url") };
}

/**
 * format=full, simplified: a single-part message carries its text as the body; anything else lists a
 * text/plain part (and a text/html part when it has HTML), whatever its real MIME tree (README, decisions).
 */
function fullPayload(m: SentMessage, headers: Header[], mimeType: string) {
  const top = { partId: "", mimeType, filename: "", headers };
  if (!mimeType.startsWith("multipart/"))
    return { ...top, body: bodyOf(mimeType === "text/html" ? (m.html ?? "") : m.text) };
  const part = (partId: string, type: string, content: string) => ({
    partId,
    mimeType: type,
    filename: "",
    headers: [{ name: "Content-Type", value: `${type}; charset="UTF-8"` }],
    body: bodyOf(content),
  });
  return {
    ...top,
    body: { size: 0 },
    parts: [part("0", "text/plain", m.text), ...(m.html !== null ? [part("1", "text/html", m.html)] : [])],
  };
}
