import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { recipientAddress } from "../mail/email-address";
import type { RateLimitRule } from "../http/rate-limit";
import { isRecordId, isUniqueViolation } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { getEnv, type Env } from "../platform/env";
import { UserError } from "../platform/errors";
import {
  RESUBSCRIBE_NOTE_MAX_LENGTH,
  RESUBSCRIBE_NOTE_REQUIRED,
  UNSUBSCRIBE_LINK_NEEDS_AUTH_URL,
  unsubscribedWarning,
  utcDate,
} from "./unsubscribe-copy";

/**
 * One-click unsubscribe (RFC 8058). A message that offers it stores a random key; its link is
 * /u/<key>.<signature>, the signature an HMAC of the key and the one To address, so the link names no
 * database id and works for that recipient only. Using it writes a Suppression row (what sending
 * checks) and marks the user's contact with that address, if there is one; only the user undoes it,
 * from the contact page, with a note.
 *
 * The link is per recipient and List-Unsubscribe names one link, so only a message to exactly one To
 * address (and no Cc or Bcc, who would see the footer) carries one.
 */

type Deps = Pick<AppDeps, "db" | "now">;

const KEY_BYTES = 16;
const KEY = /^[A-Za-z0-9_-]{22}$/;
/** key (16 bytes) "." signature (32 bytes), both base64url; lib/http/request-guard.ts exempts this path's POST. */
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const TOKEN_LENGTH = 66;
const HKDF_INFO = "evergreen unsubscribe v1";
// Outside every development setup's own AUTH_URL, links point where `npm run dev` serves the app.
const DEVELOPMENT_ORIGIN = "http://localhost:3000";

/** Unsubscribe requests (GET and POST of a link) per client address: far above one provider's pace. */
export const UNSUBSCRIBE_RATE_LIMIT: RateLimitRule = { name: "unsubscribe", limit: 60, windowSeconds: 60 };

/** 128 random bits, stored on the message (Message.unsubscribeKey). */
export function newUnsubscribeKey(): string {
  return randomBytes(KEY_BYTES).toString("base64url");
}

function currentSecret(): string {
  return getEnv().authSecret;
}

/** The link's signing key, derived from the server secret for this purpose alone. */
function signingKey(secret: string): Buffer {
  if (!secret) throw new Error("unsubscribe links need AUTH_SECRET");
  return Buffer.from(hkdfSync("sha256", secret, "", HKDF_INFO, 32));
}

function signature(key: string, email: string, secret: string): string {
  return createHmac("sha256", signingKey(secret))
    .update(`evergreen-unsubscribe\u0000${key}\u0000${email.toLowerCase()}`)
    .digest("base64url");
}

/** `<key>.<signature>` for one recipient of the message holding `key`. */
export function unsubscribeToken(key: string, recipientEmail: string, secret: string = currentSecret()): string {
  if (!KEY.test(key)) throw new Error("not an unsubscribe key");
  return `${key}.${signature(key, recipientAddress(recipientEmail), secret)}`;
}

/** The key and signature of a token that has the right shape, or null (no database read needed). */
export function parseUnsubscribeToken(token: unknown): { key: string; signature: string } | null {
  if (typeof token !== "string" || token.length !== TOKEN_LENGTH) return null;
  const match = TOKEN.exec(token);
  return match ? { key: match[1]!, signature: match[2]! } : null;
}

/** Which of `recipients` the token was made for, compared in constant time; undefined when none. */
export function tokenRecipient(
  token: string,
  recipients: readonly string[],
  secret: string = currentSecret(),
): string | undefined {
  const parsed = parseUnsubscribeToken(token);
  if (!parsed) return undefined;
  const given = Buffer.from(parsed.signature);
  return recipients
    .map(recipientAddress)
    .find((email) => timingSafeEqual(Buffer.from(signature(parsed.key, email, secret)), given));
}

/** The origin links point at: AUTH_URL's; without it, the development server's (never in production). */
export function publicOrigin(env: Pick<Env, "authUrl" | "isProduction"> = getEnv()): string | null {
  if (env.authUrl) return new URL(env.authUrl).origin;
  return env.isProduction ? null : DEVELOPMENT_ORIGIN;
}

export function unsubscribeUrl(key: string, email: string, origin: string | null = publicOrigin()): string {
  if (!origin) throw new UserError(UNSUBSCRIBE_LINK_NEEDS_AUTH_URL, "unsubscribeLink");
  return `${origin}/u/${unsubscribeToken(key, email)}`;
}

/** The List-Unsubscribe URL of a stored message, when it carries one-click unsubscribe. */
export function listUnsubscribeFor(message: { unsubscribeKey: string | null; to: unknown }): string | undefined {
  const to = Array.isArray(message.to) ? (message.to as string[]) : [];
  const origin = publicOrigin();
  if (!message.unsubscribeKey || to.length !== 1 || !origin) return undefined;
  return unsubscribeUrl(message.unsubscribeKey, to[0]!, origin);
}

/** The plain-text line at the end of a message that carries one-click unsubscribe. */
export const UNSUBSCRIBE_FOOTER = (url: string) => `\n\n--\nUnsubscribe: ${url}`;

/** The body as stored for a message that offers unsubscribe: what is stored is what is sent. */
export function withUnsubscribeFooter(body: string, key: string, to: string): string {
  return body + UNSUBSCRIBE_FOOTER(unsubscribeUrl(key, to));
}

type LinkTarget = { messageId: string; userId: string; email: string; sender: string };

async function findLinkTarget(token: unknown, deps: Deps, secret?: string): Promise<LinkTarget | undefined> {
  const parsed = parseUnsubscribeToken(token);
  if (!parsed) return undefined;
  const message = await deps.db.message.findUnique({
    where: { unsubscribeKey: parsed.key },
    select: { id: true, userId: true, to: true, user: { select: { name: true, email: true } } },
  });
  const to = Array.isArray(message?.to) ? (message.to as string[]) : [];
  const email = message && tokenRecipient(token as string, to, secret);
  if (!message || !email) return undefined;
  const sender = message.user.name?.trim() || message.user.email || "the sender";
  return { messageId: message.id, userId: message.userId, email, sender };
}

export type LinkView = { ok: true; email: string; sender: string; unsubscribed: boolean } | { ok: false };

/** What the link's page shows on a GET, which never unsubscribes (link scanners follow links). */
export async function describeUnsubscribeLink(
  token: unknown,
  deps: Deps = appDeps(),
  secret?: string,
): Promise<LinkView> {
  const target = await findLinkTarget(token, deps, secret);
  if (!target) return { ok: false };
  const suppression = await deps.db.suppression.findUnique({
    where: { userId_email: { userId: target.userId, email: target.email } },
    select: { unsubscribedAt: true },
  });
  return { ok: true, email: target.email, sender: target.sender, unsubscribed: suppression !== null };
}

export type UnsubscribeResult = { ok: true; email: string; sender: string } | { ok: false };

/**
 * The one-click POST: suppresses the address for the message's owner and marks their contact with it.
 * Idempotent: a second use keeps the first time and message.
 */
export async function unsubscribeByToken(
  token: unknown,
  deps: Deps = appDeps(),
  secret?: string,
): Promise<UnsubscribeResult> {
  const target = await findLinkTarget(token, deps, secret);
  if (!target) return { ok: false };
  const write = () => recordUnsubscribe(target, deps);
  // Two uses at once may both try to create the row; the second finds it on its retry.
  await write().catch((error: unknown) => {
    if (!isUniqueViolation(error)) throw error;
    return write();
  });
  return { ok: true, email: target.email, sender: target.sender };
}

async function recordUnsubscribe({ messageId, userId, email }: LinkTarget, deps: Deps) {
  const now = deps.now();
  await deps.db.$transaction([
    deps.db.suppression.upsert({
      where: { userId_email: { userId, email } },
      create: { userId, email, unsubscribedAt: now, messageId },
      update: {},
    }),
    deps.db.contact.updateMany({
      where: { userId, email, unsubscribedAt: null },
      data: { unsubscribedAt: now, unsubscribedFromMessageId: messageId },
    }),
    // Every sequence the address is in stops now (the feeder would also stop it before its next step).
    deps.db.sequenceEnrolment.updateMany({
      where: { userId, email, state: "ACTIVE" },
      data: {
        state: "STOPPED",
        stopReason: `Unsubscribed on ${now.toISOString().slice(0, 10)}`,
        endedAt: now,
        nextSendAt: null,
        lateSince: null,
      },
    }),
  ]);
}

export type Suppressed = { email: string; unsubscribedAt: Date };

/** Which of `emails` (stored recipients or bare addresses) the user may not send bulk mail to. */
export async function findSuppressions(
  userId: string,
  emails: readonly string[],
  deps: Deps = appDeps(),
): Promise<Suppressed[]> {
  const addresses = [...new Set(emails.map(recipientAddress).filter(Boolean))];
  if (addresses.length === 0) return [];
  return deps.db.suppression.findMany({
    where: { userId, email: { in: addresses } },
    select: { email: true, unsubscribedAt: true },
    orderBy: { email: "asc" },
  });
}

export async function isSuppressed(
  userId: string,
  emails: readonly string[],
  deps: Deps = appDeps(),
): Promise<Set<string>> {
  return new Set((await findSuppressions(userId, emails, deps)).map((row) => row.email));
}

/** The user's most recent unsubscribes, for compose to warn as addresses are typed (the server checks all). */
export async function listSuppressions(userId: string, deps: Deps = appDeps(), limit = 2_000): Promise<Suppressed[]> {
  return deps.db.suppression.findMany({
    where: { userId },
    select: { email: true, unsubscribedAt: true },
    orderBy: { unsubscribedAt: "desc" },
    take: limit,
  });
}

/** The first To address of a message that unsubscribed: the outbox cancels a merge message to it. */
export async function unsubscribedRecipient(
  userId: string,
  to: unknown,
  deps: Deps = appDeps(),
): Promise<string | undefined> {
  const recipients = Array.isArray(to) ? (to as string[]) : [];
  return (await findSuppressions(userId, recipients, deps))[0]?.email;
}

/** Recipients who unsubscribed and were not confirmed with "Send anyway": the send is refused. */
export class SuppressedRecipientsError extends UserError {
  constructor(readonly recipients: Suppressed[]) {
    super(
      recipients.map(({ email, unsubscribedAt }) => unsubscribedWarning(email, utcDate(unsubscribedAt))).join(" "),
      "sendToUnsubscribed",
    );
    this.name = "SuppressedRecipientsError";
  }
}

/** Throws SuppressedRecipientsError unless every unsubscribed recipient is among `confirmed`. */
export async function refuseUnconfirmedSuppressed(
  userId: string,
  recipients: readonly string[],
  confirmed: readonly string[],
  deps: Deps = appDeps(),
): Promise<void> {
  const yes = new Set(confirmed.map(recipientAddress));
  const refused = (await findSuppressions(userId, recipients, deps)).filter((row) => !yes.has(row.email));
  if (refused.length > 0) throw new SuppressedRecipientsError(refused);
}

// What no database column takes: NUL (PostgreSQL) and half of a surrogate pair (Prisma).
const UNSTORABLE = /[\u0000\p{Cs}]/u;

export const resubscribeSchema = z.object({
  note: z
    .string()
    .trim()
    .min(1, RESUBSCRIBE_NOTE_REQUIRED)
    .max(RESUBSCRIBE_NOTE_MAX_LENGTH, `Note: keep it under ${RESUBSCRIBE_NOTE_MAX_LENGTH} characters.`)
    .refine((note) => !UNSTORABLE.test(note), "Note contains a broken character (half of an emoji); retype it."),
});

/**
 * The user lifts an unsubscribe of one of their contacts, saying why: the address may be emailed
 * again. False when the contact is not the user's; a UserError when it has not unsubscribed.
 */
export async function resubscribeContact(
  userId: string,
  contactId: string,
  note: string,
  deps: Deps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(contactId)) return false;
  const { note: reason } = resubscribeSchema.parse({ note });
  const contact = await deps.db.contact.findFirst({
    where: { id: contactId, userId },
    select: { email: true, unsubscribedAt: true },
  });
  if (!contact) return false;
  const suppressed = await deps.db.suppression.count({ where: { userId, email: contact.email } });
  if (!contact.unsubscribedAt && suppressed === 0)
    throw new UserError(`${contact.email} has not unsubscribed: there is nothing to undo.`);
  const [, { count }] = await deps.db.$transaction([
    deps.db.suppression.deleteMany({ where: { userId, email: contact.email } }),
    deps.db.contact.updateMany({
      where: { id: contactId, userId },
      data: { unsubscribedAt: null, resubscribedAt: deps.now(), resubscribeNote: reason },
    }),
  ]);
  return count === 1;
}

export type UnsubscribeState = {
  email: string;
  /** Set while the address is unsubscribed: when, and the message whose link was used (if still there). */
  unsubscribed: { at: Date; message: { id: string; subject: string } | null } | null;
  /** The last time the user lifted an unsubscribe, and why. */
  resubscribed: { at: Date; note: string } | null;
};

/** Where one of the user's contacts stands, for its page; null when the contact is not the user's. */
export async function getUnsubscribeState(
  userId: string,
  contactId: string,
  deps: Deps = appDeps(),
): Promise<UnsubscribeState | null> {
  if (!isRecordId(contactId)) return null;
  const contact = await deps.db.contact.findFirst({
    where: { id: contactId, userId },
    select: {
      email: true,
      unsubscribedAt: true,
      unsubscribedFromMessageId: true,
      resubscribedAt: true,
      resubscribeNote: true,
    },
  });
  if (!contact) return null;
  // An address may have unsubscribed before it became a contact: the Suppression row says so then.
  const suppression = await deps.db.suppression.findUnique({
    where: { userId_email: { userId, email: contact.email } },
    select: { unsubscribedAt: true, messageId: true },
  });
  const at = contact.unsubscribedAt ?? suppression?.unsubscribedAt;
  const messageId = contact.unsubscribedAt ? contact.unsubscribedFromMessageId : suppression?.messageId;
  const message =
    at && messageId
      ? await deps.db.message.findFirst({ where: { id: messageId, userId }, select: { id: true, subject: true } })
      : null;
  return {
    email: contact.email,
    unsubscribed: at ? { at, message } : null,
    resubscribed: contact.resubscribedAt ? { at: contact.resubscribedAt, note: contact.resubscribeNote } : null,
  };
}
