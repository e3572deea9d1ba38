import { z } from "zod";
import { isRecordId, isUniqueViolation } from "../platform/db";
import type { TagLabel } from "./contact-fields";
import { appDeps, type AppDeps } from "../platform/deps";
import { isEmailAddress, MAX_ADDRESS_LENGTH, recipientAddress } from "../mail/email-address";
import { UserError } from "../platform/errors";
import { canonicalTimeZone } from "../platform/time-zones";

/**
 * The user's contacts: the form's rules, search and pages. Every query is scoped by the owner's id;
 * another user's contact is "not found". The contact's timeline is in timeline.ts, CSV import in import.ts.
 */

export const CONTACT_LIMITS = {
  name: 200,
  firstName: 100,
  company: 200,
  title: 200,
  phone: 50,
  notes: 5_000,
} as const;
export const CONTACTS_PAGE_SIZE = 25;
export const TIME_ZONE_MESSAGE =
  "Time zone: use a name like Europe/Paris or America/New_York, or leave it empty to use yours.";
export const MAX_SEARCH_LENGTH = 100;

// Line breaks, every other control character, and Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Notes may have line breaks and tabs, nothing else from that set.
const NOTES_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;
// Half of a surrogate pair is no character: no browser sends one, and the database layer throws on it.
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** One message per field: the first rule it breaks, naming the field and the fix. */
function text(
  label: string,
  max: number,
  {
    oneLine = true,
    plural = false,
    check,
  }: { oneLine?: boolean; plural?: boolean; check?: (value: string) => string | undefined } = {},
) {
  return z.string().superRefine((value, ctx) => {
    if (value.length > max)
      ctx.addIssue({
        code: "custom",
        message: `${label} ${plural ? "are" : "is"} too long: keep ${plural ? "them" : "it"} to ${max.toLocaleString("en")} characters or fewer.`,
      });
    else if (oneLine && CONTROL.test(value))
      ctx.addIssue({
        code: "custom",
        message: `${label} cannot contain line breaks or control characters; keep it on one line.`,
      });
    else if (!oneLine && NOTES_CONTROL.test(value))
      ctx.addIssue({
        code: "custom",
        message: `${label} cannot contain control characters (line breaks and tabs are fine); remove them.`,
      });
    else if (UNPAIRED_SURROGATE.test(value))
      ctx.addIssue({
        code: "custom",
        message: `${label} ${plural ? "contain" : "contains"} a broken character (half of an emoji); retype ${plural ? "them" : "it"}.`,
      });
    else {
      const message = check?.(value);
      if (message) ctx.addIssue({ code: "custom", message });
    }
  });
}

const oneLine = (label: string, max: number) => z.string().trim().pipe(text(label, max)).default("");

export const contactSchema = z.object({
  name: oneLine("Name", CONTACT_LIMITS.name),
  email: z
    .string({ error: "Email is required: enter an address like name@example.com." })
    .trim()
    .toLowerCase()
    .superRefine((value, ctx) => {
      const message =
        value === ""
          ? "Email is required: enter an address like name@example.com."
          : value.length > MAX_ADDRESS_LENGTH
            ? `Email is too long: an address has at most ${MAX_ADDRESS_LENGTH} characters.`
            : CONTROL.test(value) || !isEmailAddress(value)
              ? "Email is not a valid address: write it like name@example.com."
              : undefined;
      if (message) ctx.addIssue({ code: "custom", message });
    }),
  company: oneLine("Company", CONTACT_LIMITS.company),
  title: oneLine("Title", CONTACT_LIMITS.title),
  phone: z
    .string()
    .trim()
    .pipe(
      text("Phone", CONTACT_LIMITS.phone, {
        check: (value) =>
          value === "" || /\d/.test(value) ? undefined : "Phone needs at least one digit, like +44 20 7946 0000.",
      }),
    )
    .default(""),
  notes: z
    .string()
    .transform((value) => value.replace(/\r\n?/g, "\n").trim())
    .pipe(text("Notes", CONTACT_LIMITS.notes, { oneLine: false, plural: true }))
    .default(""),
  timeZone: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const zone = value === "" ? "" : canonicalTimeZone(value);
      if (zone !== undefined) return zone;
      ctx.addIssue({ code: "custom", message: TIME_ZONE_MESSAGE });
      return z.NEVER;
    })
    .default(""),
});

export type ContactInput = z.input<typeof contactSchema>;
export type ContactValues = z.output<typeof contactSchema>;

/** An explicit first name (empty: the first word of the name), checked like the other one-line fields. */
export const firstNameSchema = oneLine("First name", CONTACT_LIMITS.firstName);

/**
 * What a save may carry beyond contactSchema's fields: the first name, and the contact's tags (their
 * rules are in tags.ts), which replace the ones it had. Left out, either stays as it was.
 */
export type ContactExtras = { firstName?: string; tags?: readonly TagLabel[] };

/** Lower-cased the same way for stored text and for queries, so search ignores case on both databases. */
function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

// One field a line: a search word never matches across two fields. Exported for bulk writes (the CRM benchmark).
export function searchTextOf(values: Pick<ContactValues, "name" | "email" | "company">): string {
  return fold([values.name || values.email, values.email, values.company].join("\n"));
}

const summarySelect = {
  id: true,
  name: true,
  email: true,
  company: true,
  title: true,
  lastContactedAt: true,
  tags: { select: { key: true, label: true }, orderBy: { key: "asc" } },
} as const;

const detailsSelect = {
  ...summarySelect,
  firstName: true,
  phone: true,
  notes: true,
  timeZone: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type ContactSummary = {
  id: string;
  name: string;
  email: string;
  company: string;
  title: string;
  lastContactedAt: Date | null;
  tags: TagLabel[];
};
export type ContactDetails = ContactSummary & {
  /** As set explicitly ("" when the name's first word stands in: firstNameOf reads both). */
  firstName: string;
  phone: string;
  notes: string;
  /** An IANA name as Intl spells it; "" for the sender's own zone. */
  timeZone: string;
  createdAt: Date;
  updatedAt: Date;
};

export type ContactPage = {
  contacts: ContactSummary[];
  /** Contacts matching the query (all of the user's without one). */
  total: number;
  /** The page shown: the one asked for, kept within 1 and the last page. */
  page: number;
  pageCount: number;
  query: string;
  /** The tag filter's key, "" for none. */
  tag: string;
};

/**
 * What the search box's text means: up to five words, each of which must appear in name, email or
 * company. % _ and \ separate words too: Prisma's `contains` passes them to LIKE as wildcards (and
 * PostgreSQL's escape), with no portable way to escape them.
 */
export function searchWords(query: string): string[] {
  return fold(query.slice(0, MAX_SEARCH_LENGTH))
    .split(/[\s\p{Cc}\p{Cs}\u2028\u2029%_\\]+/u)
    .filter(Boolean)
    .slice(0, 5);
}

export function parsePage(value: unknown): number {
  const page = typeof value === "string" && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return Math.max(1, page);
}

/** A list filter: the search box's words and a tag (its key, lower-cased), either optional. */
export type ContactFilter = { query?: string; tag?: string };

/**
 * A tag filter's key: trimmed and lower-cased, "" for no filter, and null for text no tag can have
 * (control characters, half of an emoji, too long), which the database layer could even throw on.
 */
export function tagFilterKey(tag: string | undefined): string | null {
  const key = (tag ?? "").trim().toLowerCase();
  if (key.length > 100 || CONTROL.test(key) || UNPAIRED_SURROGATE.test(key)) return null;
  return key;
}

/**
 * The user's contacts that match a filter, as a where-clause: the contacts list and a merge's
 * audience ("all N matching") read the same one, so they can never disagree. A tag no contact can
 * have matches nothing (never everyone).
 */
export function contactFilterWhere(userId: string, { query = "", tag }: ContactFilter) {
  const words = searchWords(query);
  const key = tagFilterKey(tag);
  return {
    userId,
    AND: words.map((word) => ({ searchText: { contains: word } })),
    ...(key === null ? { id: { in: [] } } : key ? { tags: { some: { key } } } : {}),
  };
}

/** One page of the user's contacts, by name (case ignored), optionally searched and filtered by a tag. */
export async function listContacts(
  userId: string,
  { query = "", tag = "", page = 1 }: { query?: string; tag?: string; page?: number },
  deps: AppDeps = appDeps(),
): Promise<ContactPage> {
  const where = contactFilterWhere(userId, { query, tag });
  const total = await deps.db.contact.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / CONTACTS_PAGE_SIZE));
  const shown = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const contacts =
    total === 0
      ? []
      : await deps.db.contact.findMany({
          where,
          orderBy: [{ searchText: "asc" }, { id: "asc" }],
          skip: (shown - 1) * CONTACTS_PAGE_SIZE,
          take: CONTACTS_PAGE_SIZE,
          select: summarySelect,
        });
  return {
    contacts,
    total,
    page: shown,
    pageCount,
    query: query.trim().slice(0, MAX_SEARCH_LENGTH),
    tag: tagFilterKey(tag) ?? "",
  };
}

/** One of the user's contacts; another user's id, or one that never existed, is null. */
export async function getContact(
  userId: string,
  contactId: string,
  deps: AppDeps = appDeps(),
): Promise<ContactDetails | null> {
  if (!isRecordId(contactId)) return null;
  return deps.db.contact.findFirst({ where: { id: contactId, userId }, select: detailsSelect });
}

async function duplicateEmailError(userId: string, email: string, deps: AppDeps): Promise<UserError> {
  const existing = await deps.db.contact.findFirst({ where: { userId, email }, select: { name: true } });
  const who = existing?.name ? ` (${existing.name})` : "";
  return new UserError(
    `Email ${email} already belongs to one of your contacts${who}: use another address, or edit that contact instead.`,
    "email",
  );
}

/** The contact's tags as rows: each row names its owner too, so tag queries stay scoped by user. */
const tagRows = (userId: string, contactId: string, tags: readonly TagLabel[]) =>
  tags.map(({ key, label }) => ({ contactId, userId, key, label }));

export async function createContact(
  userId: string,
  values: ContactValues & ContactExtras,
  deps: AppDeps = appDeps(),
): Promise<{ id: string }> {
  const { tags = [], ...fields } = values;
  try {
    // One statement with its tags: the contact and its tags are saved together or not at all.
    return await deps.db.contact.create({
      data: {
        userId,
        ...fields,
        searchText: searchTextOf(values),
        tags: { create: tags.map(({ key, label }) => ({ userId, key, label })) },
      },
      select: { id: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw await duplicateEmailError(userId, values.email, deps);
    throw error;
  }
}

/** False when the contact is not the user's (or no longer exists): nothing is changed then. */
export async function updateContact(
  userId: string,
  contactId: string,
  values: ContactValues & ContactExtras,
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(contactId)) return false;
  const { tags, ...fields } = values;
  const data = { ...fields, searchText: searchTextOf(values) };
  try {
    if (tags === undefined) {
      const { count } = await deps.db.contact.updateMany({ where: { id: contactId, userId }, data });
      return count === 1;
    }
    return await deps.db.$transaction(async (tx) => {
      const { count } = await tx.contact.updateMany({ where: { id: contactId, userId }, data });
      // Not the user's contact: its tags are not touched, and none are written for it.
      if (count !== 1) return false;
      await tx.contactTag.deleteMany({ where: { contactId, userId } });
      await tx.contactTag.createMany({ data: tagRows(userId, contactId, tags) });
      return true;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw await duplicateEmailError(userId, values.email, deps);
    throw error;
  }
}

/**
 * Deletes one of the user's contacts; their messages stay, unlinked, and the sequences they were in
 * stop (kept, for the sequence's counts). False when it is not the user's.
 */
export async function deleteContact(userId: string, contactId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(contactId)) return false;
  const [, { count }] = await deps.db.$transaction([
    deps.db.sequenceEnrolment.updateMany({
      where: { contactId, userId, state: "ACTIVE" },
      data: { state: "STOPPED", stopReason: "The contact was deleted", endedAt: deps.now(), nextSendAt: null },
    }),
    deps.db.contact.deleteMany({ where: { id: contactId, userId } }),
  ]);
  return count === 1;
}

/**
 * The outbox calls this when a message is sent: each of the user's contacts among its recipients (as
 * stored: `address` or `Name <address>`) was contacted at `at` (never moved back in time by a message
 * sent earlier but recorded later).
 */
export async function noteContacted(
  userId: string,
  recipients: readonly string[],
  at: Date,
  deps: AppDeps = appDeps(),
): Promise<number> {
  const addresses = [...new Set(recipients.map(recipientAddress).filter(Boolean))];
  if (addresses.length === 0) return 0;
  const { count } = await deps.db.contact.updateMany({
    where: {
      userId,
      email: { in: addresses },
      OR: [{ lastContactedAt: null }, { lastContactedAt: { lt: at } }],
    },
    data: { lastContactedAt: at },
  });
  return count;
}

/** The contact a new message is for: the first To recipient that is one of the user's contacts, if any. */
export async function contactIdForRecipients(
  userId: string,
  to: readonly string[],
  deps: AppDeps = appDeps(),
): Promise<string | null> {
  const addresses = to.map(recipientAddress).filter(Boolean);
  if (addresses.length === 0) return null;
  const found = await deps.db.contact.findMany({
    where: { userId, email: { in: addresses } },
    select: { id: true, email: true },
  });
  const byEmail = new Map(found.map((contact) => [contact.email, contact.id]));
  return addresses.map((address) => byEmail.get(address)).find((id) => id !== undefined) ?? null;
}

/** How many contacts the user has, for the dashboard. */
export async function countContacts(userId: string, deps: AppDeps = appDeps()): Promise<number> {
  return deps.db.contact.count({ where: { userId } });
}
