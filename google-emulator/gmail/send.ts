import { setTimeout as sleep } from "node:timers/promises";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import type { EmulatorContext } from "../context";
import { json, type EmulatorRequest, type Reply } from "../http";
import { SEND_SCOPES } from "../oauth2/scopes";
import type { SentMessage, User } from "../state";
import { authorizeCall, spendUnits } from "./access";
import { badRequest, mailSendingLimit, payloadTooLarge, userRateLimitExceeded } from "./errors";
import { rewriteOutgoing } from "./message-rewrite";

export async function handleSend(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  userId: string,
  upload: boolean,
): Promise<Reply> {
  const { state } = ctx;
  // Gmail takes a few hundred milliseconds to accept a message; benches set it to see concurrency pay.
  if (state.config.sendLatencyMs > 0) await sleep(state.config.sendLatencyMs);
  const auth = authorizeCall(ctx, req, userId, SEND_SCOPES, "SendMessage");
  if (!auth.ok) return auth.reply;
  if (!spendUnits(ctx, auth.user, state.config.sendUnitCost))
    return userRateLimitExceeded(state.config.unitQuotaStatus, "SendMessage");

  const body = upload ? readUpload(ctx, req) : readJsonSend(ctx, req);
  if (!body.ok) return body.reply;
  return sendMessage(ctx, auth.user, body.message, body.threadId);
}

type SendBody = { ok: true; message: Buffer; threadId?: string } | { ok: false; reply: Reply };

function readJsonSend(ctx: EmulatorContext, req: EmulatorRequest): SendBody {
  if (req.body.length > ctx.state.config.jsonSendMaxBytes) return { ok: false, reply: payloadTooLarge() };
  let payload: unknown;
  try {
    payload = req.body.length ? JSON.parse(req.body.toString("utf8")) : {};
  } catch {
    return { ok: false, reply: badRequest("Invalid JSON payload received.", "badRequest") };
  }
  const { raw, threadId } = (payload ?? {}) as { raw?: unknown; threadId?: unknown };
  if (typeof raw !== "string" || raw === "") {
    return {
      ok: false,
      reply: badRequest(
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        "badRequest",
      ),
    };
  }
  // Gmail's ByteString fields take base64url; the standard alphabet's + and / are refused.
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(raw))
    return { ok: false, reply: badRequest(`Invalid value for ByteString: ${raw.slice(0, 40)}`, "invalid") };
  return { ok: true, message: Buffer.from(raw, "base64url"), ...(typeof threadId === "string" ? { threadId } : {}) };
}

function readUpload(ctx: EmulatorContext, req: EmulatorRequest): SendBody {
  const uploadType = req.url.searchParams.get("uploadType") ?? "media";
  const contentType = String(req.headers["content-type"] ?? "");
  let message: Buffer;
  let threadId: string | undefined;
  if (uploadType === "media") {
    message = req.body;
  } else if (uploadType === "multipart") {
    const parts = parseMultipart(req.body, contentType);
    const metadata = parts?.[0];
    const media = parts?.[1];
    if (!metadata || !media)
      return {
        ok: false,
        reply: badRequest("Invalid multipart request: expected a metadata part and a media part.", "badContent"),
      };
    try {
      const meta = metadata.body.length ? (JSON.parse(metadata.body.toString("utf8")) as { threadId?: unknown }) : {};
      if (typeof meta.threadId === "string") threadId = meta.threadId;
    } catch {
      return { ok: false, reply: badRequest("Invalid JSON payload received.", "badRequest") };
    }
    message = media.body;
  } else {
    return {
      ok: false,
      reply: badRequest(`Invalid upload type: ${uploadType}. This emulator supports media and multipart.`, "invalid"),
    };
  }
  if (message.length > ctx.state.config.uploadSendMaxBytes) return { ok: false, reply: payloadTooLarge() };
  if (message.length === 0)
    return {
      ok: false,
      reply: badRequest(
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        "badRequest",
      ),
    };
  return { ok: true, message, ...(threadId !== undefined ? { threadId } : {}) };
}

function parseMultipart(body: Buffer, contentType: string): { headers: string; body: Buffer }[] | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!/^multipart\//i.test(contentType) || !boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: string; body: Buffer }[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    let part = body.subarray(start + delimiter.length, next);
    part = part.subarray(part[0] === 0x0d && part[1] === 0x0a ? 2 : part[0] === 0x0a ? 1 : 0);
    if (part.subarray(-2).toString() === "\r\n") part = part.subarray(0, -2);
    else if (part.subarray(-1).toString() === "\n") part = part.subarray(0, -1);
    const split =
      part.indexOf("\r\n\r\n") !== -1 ? { at: part.indexOf("\r\n\r\n"), len: 4 } : { at: part.indexOf("\n\n"), len: 2 };
    parts.push(
      split.at === -1
        ? { headers: "", body: part }
        : { headers: part.subarray(0, split.at).toString("latin1"), body: part.subarray(split.at + split.len) },
    );
    start = next;
  }
  return parts;
}

function addressesOf(
  field: AddressObject | AddressObject[] | undefined,
): { address: string; name: string }[] | "invalid" {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const flat = objects.flatMap((o) => o.value).flatMap((a) => (a.group ? a.group : [a]));
  if (flat.some((a) => !a.address || !/^[^@\s]+@[^@\s]+$/.test(a.address))) return "invalid";
  return flat.map((a) => ({ address: a.address ?? "", name: a.name }));
}

const normalizeSubject = (subject: string | undefined) =>
  (subject ?? "")
    .replace(/^((re|fwd?|aw|wg)\s*:\s*)+/i, "")
    .trim()
    .toLowerCase();

export function randomHexId(now: number): string {
  return (
    now.toString(16).padStart(11, "0") +
    Math.floor(Math.random() * 0xfffff)
      .toString(16)
      .padStart(5, "0")
  ).slice(-16);
}

async function sendMessage(
  ctx: EmulatorContext,
  user: User,
  original: Buffer,
  threadId: string | undefined,
): Promise<Reply> {
  const { state } = ctx;
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(original, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  } catch {
    return badRequest("Invalid RFC 822 message.", "invalidArgument");
  }
  const recipients: string[] = [];
  for (const [header, field] of [
    ["To", parsed.to],
    ["Cc", parsed.cc],
    ["Bcc", parsed.bcc],
  ] as const) {
    const addresses = addressesOf(field);
    if (addresses === "invalid") return badRequest(`Invalid ${header} header`);
    recipients.push(...addresses.map((a) => a.address));
  }
  if (recipients.length === 0) return badRequest("Recipient address required");
  if (recipients.length > state.config.maxRecipientsPerMessage)
    return badRequest(
      `Too many recipients: ${recipients.length}. The Gmail API accepts at most ${state.config.maxRecipientsPerMessage} per message.`,
    );

  let thread = undefined as SentMessage[] | undefined;
  if (threadId !== undefined) {
    thread = state.messages.filter((m) => m.userSub === user.sub && m.threadId === threadId);
    if (thread.length === 0) return badRequest("Invalid thread_id value");
  }

  const now = state.clock.now();
  const dayAgo = now - 24 * 3600 * 1000;
  const sentToday = state.messages.filter((m) => m.userSub === user.sub && !m.incoming && m.sentAt > dayAgo);
  if (sentToday.length >= state.config.dailySendLimit) {
    const oldest = Math.min(...sentToday.map((m) => m.sentAt));
    return mailSendingLimit(new Date(Math.max(oldest + 24 * 3600 * 1000, now + 60_000)));
  }

  const displayName = parsed.from?.value[0]?.name;
  const { raw, messageId } = rewriteOutgoing(original, user, displayName, new Date(now));
  const stored = await simpleParser(raw, { skipImageLinks: true });
  const references = [
    parsed.inReplyTo ?? "",
    ...(Array.isArray(parsed.references) ? parsed.references : [parsed.references ?? ""]),
  ].filter(Boolean);
  // Gmail threads a reply only when the thread, References/In-Reply-To and the subject all agree (§9.6).
  const joinsThread =
    thread?.some((m) => references.includes(m.messageId)) &&
    thread.some((m) => normalizeSubject(m.subject) === normalizeSubject(parsed.subject));
  const id = randomHexId(now);
  const toSelf = recipients.some((r) => r.toLowerCase() === user.email.toLowerCase());
  const message: SentMessage = {
    id,
    threadId: joinsThread && threadId ? threadId : id,
    userSub: user.sub,
    from: stored.from?.text ?? user.email,
    envelope: { from: user.email, to: recipients },
    labelIds: toSelf ? ["UNREAD", "SENT", "INBOX"] : ["SENT"],
    headers: headerMap(stored),
    messageId,
    subject: stored.subject ?? "",
    text: stored.text ?? "",
    html: typeof stored.html === "string" ? stored.html : null,
    raw: raw.toString("utf8"),
    sentAt: now,
    historyId: state.historyId + 1,
  };
  state.messages.push(message);
  state.historyId += 1;
  return json(200, { id: message.id, threadId: message.threadId, labelIds: message.labelIds });
}

export function headerMap(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(":") + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    headers[key] = headers[key] ? `${headers[key]}, ${value}` : value;
  }
  const decoded: Record<string, string | undefined> = {
    subject: parsed.subject,
    from: parsed.from?.text,
    to: addressText(parsed.to),
    cc: addressText(parsed.cc),
  };
  for (const [key, value] of Object.entries(decoded)) if (value !== undefined) headers[key] = value;
  return headers;
}

function addressText(field: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!field) return undefined;
  return (Array.isArray(field) ? field : [field]).map((f) => f.text).join(", ");
}
