import { z } from "zod";
import { isRecordId, type MessageStatus } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { formatMailbox, parseMailbox, recipientAddress, recipientProblem } from "./email-address";
import { UserError } from "../platform/errors";
import { contactIdForRecipients } from "../crm/contacts";
import { ENCODED_WORD, HEADER_CONTROL, newMessageId } from "./mime";

/**
 * What the compose form may send, and how a message enters the outbox. Storing is all the send action
 * does: keyed by the form's idempotency key, so a double click or a replayed request finds the same
 * row; Google is called later, by the outbox (lib/mail/outbox.ts).
 */

/** Gmail accepts at most 100 recipients per message sent through its API. */
export const MAX_RECIPIENTS = 100;
export const MAX_SUBJECT_LENGTH = 500;
export const MAX_BODY_LENGTH = 200_000;
/** Attachments as Gmail takes them (25 MB), which base64 keeps under the 35 MB upload limit. */
export const MAX_ATTACHMENTS_BYTES = 25 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;
/** Attachment bytes one user's unsent email may hold in the database (ten full messages). */
export const MAX_WAITING_ATTACHMENT_BYTES = 10 * MAX_ATTACHMENTS_BYTES;
/** Send waits this long, so the user can take it back. */
export const UNDO_WINDOW_MS = 10_000;
export const MIN_SCHEDULE_MS = 60_000;
export const MAX_SCHEDULE_MS = 30 * 24 * 60 * 60_000;

// One Message-ID (RFC 5322 msg-id): printable ASCII without spaces, so References cannot split it in two.
const MESSAGE_ID = /^<[\w!#$%&'*+/=?^`{|}~.-]+@[\w!#$%&'*+/=?^`{|}~.[\]-]+>$/;

// What no database column takes: NUL (PostgreSQL) and half of a surrogate pair (Prisma). No browser sends either.
const UNSTORABLE = /[\u0000\p{Cs}]/u;

const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A file name as it will be shown: no bidirectional controls, no space at either end. */
export function withoutBidiControls(name: string): string {
  return name.replace(BIDI_CONTROLS, "").trim();
}

const headerText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} is too long: keep it under ${max} characters.`)
    .refine((value) => !HEADER_CONTROL.test(value), `${label} cannot contain line breaks or control characters.`)
    .refine((value) => !UNSTORABLE.test(value), `${label} contains a broken character (half of an emoji); retype it.`)
    .refine(
      (value) => !ENCODED_WORD.test(value),
      `${label} cannot contain "=?…?=" encoded words; type the text itself.`,
    );

/**
 * A recipient field: each value `address` or `Name <address>`, stored as formatMailbox writes it with
 * the address lower-cased and the name as typed; each address once (the first value naming it wins).
 */
function addressList(label: string) {
  return z
    .array(z.string())
    .default([])
    .transform((values, ctx) => {
      const recipients = new Map<string, string>();
      for (const value of values) {
        const typed = value.trim();
        if (!typed) continue;
        const { name, address } = parseMailbox(typed);
        const key = address.toLowerCase();
        if (recipients.has(key)) continue;
        const problem = recipientProblem(label, typed);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
        recipients.set(key, formatMailbox({ name, address: key }));
      }
      return [...recipients.values()];
    });
}

export const attachmentSchema = z.object({
  // Without bidirectional controls: U+202E would show "invoice\u202Efdp.exe" as "invoiceexe.pdf".
  filename: headerText("An attachment's name", 200)
    .transform(withoutBidiControls)
    .refine((name) => name.length > 0, "An attachment needs a name."),
  // A multipart/* or message/* type would make the file's bytes MIME structure: it is sent as a plain file.
  contentType: z
    .string()
    .regex(/^(?!multipart\/|message\/)[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i)
    .catch("application/octet-stream"),
  content: z.instanceof(Buffer),
});

export const composeSchema = z
  .object({
    to: addressList("To"),
    cc: addressList("Cc"),
    bcc: addressList("Bcc"),
    subject: headerText("Subject", MAX_SUBJECT_LENGTH),
    body: z
      .string()
      .max(MAX_BODY_LENGTH, `Body is too long: keep it under ${MAX_BODY_LENGTH.toLocaleString("en")} characters.`)
      .refine(
        (value) => !UNSTORABLE.test(value),
        "Body contains a NUL or a broken character (half of an emoji); remove it.",
      ),
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "The form is out of date; reload the page."),
    sendAt: z.coerce.date({ error: "Schedule: pick a date and time, like tomorrow at 9:00." }).optional(),
    inReplyTo: z
      .string()
      .max(300, "In-Reply-To is too long for a Message-ID.")
      .regex(MESSAGE_ID, "In-Reply-To must be one Message-ID, like <id@example.com>.")
      .refine((value) => !ENCODED_WORD.test(value), 'In-Reply-To cannot contain "=?…?=" encoded words.')
      .optional(),
    attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS, `At most ${MAX_ATTACHMENTS} attachments.`).default([]),
  })
  .superRefine((message, ctx) => {
    const recipients = message.to.length + message.cc.length + message.bcc.length;
    if (message.to.length === 0)
      ctx.addIssue({ code: "custom", path: ["to"], message: "To: add at least one recipient." });
    if (recipients > MAX_RECIPIENTS) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `Gmail sends to at most ${MAX_RECIPIENTS} recipients at once (To, Cc and Bcc together); this has ${recipients}.`,
      });
    }
    const bytes = message.attachments.reduce((sum, file) => sum + file.content.length, 0);
    if (bytes > MAX_ATTACHMENTS_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: ["attachments"],
        message: "Attachments add up to more than Gmail's 25 MB; send large files as a link.",
      });
    }
  });

export type ComposeInput = z.input<typeof composeSchema>;
export type ValidMessage = z.output<typeof composeSchema>;

/**
 * The compose form's fields as composeSchema reads them: each recipient a repeated `to`/`cc`/`bcc`
 * field, `sendAt` an ISO instant or absent, attachments as files.
 */
export async function readComposeForm(form: FormData): Promise<ComposeInput> {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const list = (name: string) => form.getAll(name).filter((value) => typeof value === "string");
  // A file input left empty still submits one nameless, empty file.
  const files = form
    .getAll("attachments")
    .filter((value): value is File => typeof value !== "string" && (value.name !== "" || value.size > 0));
  return {
    to: list("to"),
    cc: list("cc"),
    bcc: list("bcc"),
    subject: text("subject"),
    body: text("body"),
    idempotencyKey: text("idempotencyKey"),
    sendAt: text("sendAt") || undefined,
    attachments: await Promise.all(
      files.map(async (file) => ({
        filename: file.name,
        contentType: file.type || "application/octet-stream",
        content: Buffer.from(await file.arrayBuffer()),
      })),
    ),
  };
}

export type QueuedMessage = { id: string; status: MessageStatus; sendAt: Date; duplicate: boolean };

/** A message's MessageRecipient rows: each To, Cc and Bcc address once, lower-cased, at the message's creation time. */
export function recipientRows(userId: string, createdAt: Date, ...lists: ReadonlyArray<readonly string[]>) {
  const emails = new Set(lists.flat().map(recipientAddress));
  return [...emails].map((email) => ({ userId, email, createdAt }));
}

/**
 * Puts a validated message in the outbox: due after the undo window, or at its scheduled time (1
 * minute to 30 days ahead). The same idempotency key returns the row it already made (the unique
 * key decides, so the common case is one write and no read).
 */
export async function enqueueMessage(
  userId: string,
  message: ValidMessage,
  deps: AppDeps = appDeps(),
): Promise<QueuedMessage> {
  const { db } = deps;
  const now = deps.now().getTime();
  const scheduled = message.sendAt !== undefined;
  if (
    scheduled &&
    (message.sendAt!.getTime() < now + MIN_SCHEDULE_MS - 5_000 || message.sendAt!.getTime() > now + MAX_SCHEDULE_MS)
  ) {
    throw new UserError("Schedule: pick a time from 1 minute to 30 days ahead.", "sendAt");
  }
  const sendAt = scheduled ? message.sendAt! : new Date(now + UNDO_WINDOW_MS);
  const adding = message.attachments.reduce((sum, file) => sum + file.content.length, 0);
  if (adding > 0) {
    const waiting = await waitingAttachmentBytes(userId, deps);
    if (waiting + adding > MAX_WAITING_ATTACHMENT_BYTES) {
      // The same form again (a double click) finds its message, whose files are among those waiting.
      const existing = await findResubmittedMessage(userId, message, deps);
      if (existing) return existing;
      throw new UserError(
        `Attachments: your unsent email already holds ${formatMegabytes(waiting)} of files, and at most ${formatMegabytes(MAX_WAITING_ATTACHMENT_BYTES)} can wait to be sent. Send this once some of it has gone out, or cancel scheduled email with large files in the outbox.`,
        "attachments",
      );
    }
  }
  const [sender, contactId] = await Promise.all([
    db.account.findFirst({
      where: { userId, provider: "google" },
      orderBy: { createdAt: "asc" },
      select: { email: true },
    }),
    // Looked up on the server, scoped to the user: the client's word is not trusted for it.
    contactIdForRecipients(userId, message.to, deps),
  ]);
  // The recipients index copies the creation time, so both are set here rather than by the database.
  const createdAt = new Date(now);
  try {
    const created = await db.message.create({
      data: {
        userId,
        createdAt,
        recipients: { create: recipientRows(userId, createdAt, message.to, message.cc, message.bcc) },
        to: message.to,
        cc: message.cc,
        bcc: message.bcc,
        subject: message.subject,
        text: message.body,
        status: scheduled ? "SCHEDULED" : "QUEUED",
        idempotencyKey: message.idempotencyKey,
        sendAt: scheduled ? sendAt : null,
        nextAttemptAt: sendAt,
        rfc822MessageId: newMessageId(sender?.email ?? "evergreen.invalid"),
        contactId,
        inReplyTo: message.inReplyTo,
        attachments: {
          create: message.attachments.map((file) => ({
            filename: file.filename,
            contentType: file.contentType,
            size: file.content.length,
            content: Uint8Array.from(file.content),
          })),
        },
      },
      select: { id: true, status: true },
    });
    return { ...created, sendAt, duplicate: false };
  } catch (error) {
    // The user's key is taken: a double click, a replayed request, or two identical requests at once.
    if ((error as { code?: string }).code !== "P2002") throw error;
    const existing = await findResubmittedMessage(userId, message, deps);
    if (!existing) throw new UserError("The form is out of date; reload the page.");
    return existing;
  }
}

/**
 * The message an idempotency key already made for this user: a resubmitted form (a lost answer, a
 * replay, a double click) finds it rather than making another. The same key with other content is no
 * resubmission (two tabs writing from one saved draft): that message is refused, never reported as
 * the other's. Keys are unique per user, so another user's message is never found by its key.
 */
export async function findResubmittedMessage(
  userId: string,
  message: Pick<ValidMessage, "idempotencyKey" | "to" | "cc" | "bcc" | "subject" | "body" | "attachments">,
  deps: AppDeps = appDeps(),
): Promise<QueuedMessage | undefined> {
  const existing = await deps.db.message.findUnique({
    where: { userId_idempotencyKey: { userId, idempotencyKey: message.idempotencyKey } },
    select: {
      id: true,
      status: true,
      nextAttemptAt: true,
      to: true,
      cc: true,
      bcc: true,
      subject: true,
      text: true,
      attachments: { select: { filename: true, size: true } },
    },
  });
  if (!existing) return undefined;
  if (contentOf(existing) !== contentOf({ ...message, text: message.body })) {
    throw new UserError(
      `Not sent: this draft was already sent from another tab or window, as “${existing.subject || "(no subject)"}”. Your message is still here; send it again to send it too.`,
    );
  }
  return { id: existing.id, status: existing.status, sendAt: existing.nextAttemptAt ?? new Date(0), duplicate: true };
}

/** What makes two submissions the same message: recipients, subject, body and the files' names and sizes. */
function contentOf(message: {
  to: unknown;
  cc: unknown;
  bcc: unknown;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; size?: number; content?: Buffer }>;
}): string {
  const files = message.attachments.map((file) => `${file.size ?? file.content?.length ?? 0} ${file.filename}`).sort();
  return JSON.stringify([message.to, message.cc, message.bcc, message.subject, message.text, files]);
}

/** Statuses whose message may still be sent, so it keeps its attachments' bytes. */
const HOLDS_ATTACHMENTS: MessageStatus[] = [
  "SCHEDULED",
  "QUEUED",
  "SENDING",
  "WAITING_FOR_RECONNECT",
  "FAILED",
  "UNKNOWN",
];

// Every user may upload, so the attachment bytes waiting to be sent are capped per user.
async function waitingAttachmentBytes(userId: string, deps: AppDeps): Promise<number> {
  const { _sum } = await deps.db.attachment.aggregate({
    _sum: { size: true },
    where: { message: { userId, status: { in: HOLDS_ATTACHMENTS } } },
  });
  return _sum.size ?? 0;
}

function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** Takes a message back while it is still waiting (the undo window, or a scheduled time). */
export async function cancelMessage(userId: string, messageId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(messageId)) return false;
  const [{ count }] = await deps.db.$transaction([
    deps.db.message.updateMany({
      where: { id: messageId, userId, status: { in: ["QUEUED", "SCHEDULED", "WAITING_FOR_RECONNECT"] }, leaseId: null },
      data: { status: "CANCELLED", nextAttemptAt: null },
    }),
    dropSettledAttachmentContent(deps.db, messageId),
  ]);
  return count === 1;
}

/**
 * Once a message is sent or cancelled, its attachments' bytes are never read again (Gmail keeps the
 * sent copy; Undo restores the files from the browser), so they leave the database; name, type and
 * size stay for the outbox. A write for the same transaction as the status change, and a no-op for a
 * message in any other state.
 */
export function dropSettledAttachmentContent(db: AppDeps["db"], messageId: string) {
  return db.attachment.updateMany({
    where: { messageId, message: { status: { in: ["SENT", "CANCELLED"] } } },
    data: { content: new Uint8Array() },
  });
}

/** Where one of the user's messages stands, for the compose page's confirmation after the undo window. */
export async function getMessageStatus(
  userId: string,
  messageId: string,
  deps: AppDeps = appDeps(),
): Promise<{ status: MessageStatus; lastError: string | null } | null> {
  if (!isRecordId(messageId)) return null;
  return deps.db.message.findFirst({ where: { id: messageId, userId }, select: { status: true, lastError: true } });
}

const RECENT_MESSAGES = 200;
const MAX_SUGGESTIONS = 100;

/** Addresses the user has sent to, most recent first, each once: the compose form's suggestions. */
export type RecipientSuggestion = { address: string; name: string };

const MAX_CONTACT_SUGGESTIONS = 500;

/**
 * What compose offers as the user types: addresses recently sent to, then the user's contacts (by
 * name, up to 500) with their names, each address once. The browser's list filters them as one types.
 */
export async function recipientSuggestions(userId: string, deps: AppDeps = appDeps()): Promise<RecipientSuggestion[]> {
  const [recent, contacts] = await Promise.all([
    recentRecipients(userId, deps),
    deps.db.contact.findMany({
      where: { userId },
      orderBy: { searchText: "asc" },
      take: MAX_CONTACT_SUGGESTIONS,
      select: { email: true, name: true },
    }),
  ]);
  const names = new Map(contacts.map((contact) => [contact.email, contact.name]));
  const suggestions = new Map<string, RecipientSuggestion>();
  for (const address of recent) suggestions.set(address, { address, name: names.get(address) ?? "" });
  for (const { email, name } of contacts) if (!suggestions.has(email)) suggestions.set(email, { address: email, name });
  return [...suggestions.values()];
}

export async function recentRecipients(userId: string, deps: AppDeps = appDeps()): Promise<string[]> {
  const messages = await deps.db.message.findMany({
    where: { userId, status: "SENT" },
    orderBy: [{ sentAt: "desc" }, { id: "desc" }],
    take: RECENT_MESSAGES,
    select: { to: true, cc: true, bcc: true },
  });
  const addresses = new Set<string>();
  for (const message of messages) {
    for (const list of [message.to, message.cc, message.bcc]) {
      if (!Array.isArray(list)) continue;
      for (const recipient of list) if (typeof recipient === "string") addresses.add(recipientAddress(recipient));
    }
  }
  return [...addresses].slice(0, MAX_SUGGESTIONS);
}

// ── The outbox as the user sees it ──────────────────────────────────────────────────────────────

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

/**
 * The user's decisions about messages the outbox could not settle alone. Each is one conditional
 * update scoped to the user, so it only applies to a message still in the state the user saw.
 */
export async function decideMessage(
  userId: string,
  messageId: string,
  decision: "retry" | "send-again" | "dismiss",
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(messageId)) return false;
  const now = deps.now();
  const from: MessageStatus = decision === "retry" ? "FAILED" : "UNKNOWN";
  const data =
    decision === "dismiss"
      ? { status: "CANCELLED" as const, lastError: "Dismissed after checking Gmail." }
      : { status: "QUEUED" as const, nextAttemptAt: now, attempts: 0, lastError: null, sendStartedAt: null };
  const [{ count }] = await deps.db.$transaction([
    deps.db.message.updateMany({ where: { id: messageId, userId, status: from }, data }),
    dropSettledAttachmentContent(deps.db, messageId),
  ]);
  return count === 1;
}

/**
 * After a reconnect, what waited for it is due again: a scheduled message at its own time, the rest
 * at once. Returned as writes for the caller's transaction (the sign-in that restored the connection).
 */
export function resumeWaitingMessages(db: AppDeps["db"], userId: string, at: Date) {
  const waiting = { userId, status: "WAITING_FOR_RECONNECT" as const };
  return [
    db.message.updateMany({
      where: { ...waiting, sendAt: { gt: at } },
      data: { status: "SCHEDULED", lastError: null },
    }),
    db.message.updateMany({ where: waiting, data: { status: "QUEUED", nextAttemptAt: at, lastError: null } }),
  ];
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
