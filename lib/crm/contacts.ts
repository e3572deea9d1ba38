import { createHash } from "node:crypto";
import { z } from "zod";
import { isRecordId, type MessageStatus } from "../platform/db";
import { CONTACT_FIELDS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, type ContactField } from "./contact-fields";
import { appDeps, type AppDeps } from "../platform/deps";
import { CsvError, parseCsv } from "./csv";
import { isEmailAddress, MAX_ADDRESS_LENGTH, recipientAddress } from "../mail/email-address";
import { UserError } from "../platform/errors";

/**
 * The user's contacts: the form's rules, search and pages, the contact's timeline of messages, and CSV
 * import with a preview. Every query is scoped by the owner's id; another user's contact is "not found".
 */

export const CONTACT_LIMITS = { name: 200, company: 200, title: 200, phone: 50, notes: 5_000 } as const;
export const CONTACTS_PAGE_SIZE = 25;
export const MAX_SEARCH_LENGTH = 100;
export const TIMELINE_LIMIT = 50;

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
});

export type ContactInput = z.input<typeof contactSchema>;
export type ContactValues = z.output<typeof contactSchema>;

/** The contact form's fields as contactSchema reads them. */
export function readContactForm(form: FormData): Record<ContactField, string> {
  const read = (name: ContactField) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return Object.fromEntries(CONTACT_FIELDS.map((name) => [name, read(name)])) as Record<ContactField, string>;
}

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
} as const;

const detailsSelect = {
  ...summarySelect,
  phone: true,
  notes: true,
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
};
export type ContactDetails = ContactSummary & { phone: string; notes: string; createdAt: Date; updatedAt: Date };

export type ContactPage = {
  contacts: ContactSummary[];
  /** Contacts matching the query (all of the user's without one). */
  total: number;
  /** The page shown: the one asked for, kept within 1 and the last page. */
  page: number;
  pageCount: number;
  query: string;
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

/** One page of the user's contacts, by name (case ignored), optionally searched. */
export async function listContacts(
  userId: string,
  { query = "", page = 1 }: { query?: string; page?: number },
  deps: AppDeps = appDeps(),
): Promise<ContactPage> {
  const words = searchWords(query);
  const where = { userId, AND: words.map((word) => ({ searchText: { contains: word } })) };
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
  return { contacts, total, page: shown, pageCount, query: query.trim().slice(0, MAX_SEARCH_LENGTH) };
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

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

export async function createContact(
  userId: string,
  values: ContactValues,
  deps: AppDeps = appDeps(),
): Promise<{ id: string }> {
  try {
    return await deps.db.contact.create({
      data: { userId, ...values, searchText: searchTextOf(values) },
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
  values: ContactValues,
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(contactId)) return false;
  try {
    const { count } = await deps.db.contact.updateMany({
      where: { id: contactId, userId },
      data: { ...values, searchText: searchTextOf(values) },
    });
    return count === 1;
  } catch (error) {
    if (isUniqueViolation(error)) throw await duplicateEmailError(userId, values.email, deps);
    throw error;
  }
}

/** Deletes one of the user's contacts; their messages stay, unlinked. False when it is not the user's. */
export async function deleteContact(userId: string, contactId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(contactId)) return false;
  const { count } = await deps.db.contact.deleteMany({ where: { id: contactId, userId } });
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

// ── The contact's timeline ──────────────────────────────────────────────────────────────────────

export type TimelineItem = {
  id: string;
  status: MessageStatus;
  subject: string;
  /** When it was sent, or else when it is due, or else when it last changed. */
  at: Date;
  lastError: string | null;
  /** Where Gmail shows it: set for a sent message, and for one whose sending is unknown (to check). */
  gmailUrl: string | null;
};

/**
 * A message in Gmail's web app, in the account that sent it. A sent message opens by its thread id
 * from Gmail's answer (the API's hex thread id is the one Gmail's own links use); one whose answer
 * was lost (UNKNOWN) has no thread id, so it opens a search for the Message-ID Evergreen wrote, which
 * finds it in Sent if it went out. `/u/<address>/` picks that account among several signed in.
 */
export function gmailMessageUrl(
  senderEmail: string | null,
  message: { status: MessageStatus; gmailThreadId: string | null; rfc822MessageId: string | null },
): string | null {
  const base = `https://mail.google.com/mail/u/${senderEmail ? encodeURIComponent(senderEmail) : "0"}/`;
  if (message.status === "SENT" && message.gmailThreadId && /^[0-9a-f]+$/i.test(message.gmailThreadId))
    return `${base}#sent/${message.gmailThreadId}`;
  if ((message.status === "SENT" || message.status === "UNKNOWN") && message.rfc822MessageId)
    return `${base}#search/${encodeURIComponent(`rfc822msgid:${message.rfc822MessageId.replace(/^<|>$/g, "")}`)}`;
  return null;
}

/**
 * The user's messages to this contact, newest first: linked to it, or with its address in To, Cc or
 * Bcc (so mail sent before the contact existed, or to an address it has since changed from, counts).
 */
export async function listContactMessages(
  userId: string,
  contact: { id: string; email: string },
  deps: AppDeps = appDeps(),
): Promise<TimelineItem[]> {
  const { db } = deps;
  const email = contact.email.toLowerCase();
  // Two index walks newest first, each stopping at the limit: the contact's address in MessageRecipient,
  // and messages linked to the contact. The same SQL on both engines.
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT "id" FROM (
      SELECT * FROM (
        SELECT m."id", m."createdAt" FROM "MessageRecipient" AS r JOIN "Message" AS m ON m."id" = r."messageId"
        WHERE r."userId" = ${userId} AND r."email" = ${email} AND m."status" NOT IN ('DRAFT', 'CANCELLED')
        ORDER BY r."createdAt" DESC, r."messageId" DESC
        LIMIT ${TIMELINE_LIMIT}
      ) AS "addressed"
      UNION
      SELECT * FROM (
        SELECT "id", "createdAt" FROM "Message"
        WHERE "contactId" = ${contact.id} AND "userId" = ${userId} AND "status" NOT IN ('DRAFT', 'CANCELLED')
        ORDER BY "createdAt" DESC, "id" DESC
        LIMIT ${TIMELINE_LIMIT}
      ) AS "linked"
    ) AS "timeline"
    ORDER BY "createdAt" DESC, "id" DESC
    LIMIT ${TIMELINE_LIMIT}`;
  if (rows.length === 0) return [];
  const [messages, sender] = await Promise.all([
    // By key alone (the ids are the user's): with userId too, SQLite without statistics walks all the
    // user's messages through the userId index instead of looking up 50 keys.
    db.message.findMany({
      where: { id: { in: rows.map((row) => row.id) } },
      select: {
        id: true,
        userId: true,
        status: true,
        subject: true,
        sentAt: true,
        nextAttemptAt: true,
        updatedAt: true,
        lastError: true,
        gmailThreadId: true,
        rfc822MessageId: true,
      },
    }),
    db.account.findFirst({
      where: { userId, provider: "google" },
      orderBy: { createdAt: "asc" },
      select: { email: true },
    }),
  ]);
  const byId = new Map(messages.filter((message) => message.userId === userId).map((message) => [message.id, message]));
  return rows.flatMap(({ id }) => {
    const message = byId.get(id);
    if (!message) return [];
    const due = message.status === "SCHEDULED" || message.status === "QUEUED" ? message.nextAttemptAt : null;
    return [
      {
        id: message.id,
        status: message.status,
        subject: message.subject,
        at: message.sentAt ?? due ?? message.updatedAt,
        lastError: message.lastError,
        gmailUrl: gmailMessageUrl(sender?.email ?? null, message),
      },
    ];
  });
}

// ── CSV import ──────────────────────────────────────────────────────────────────────────────────

// Header names a spreadsheet may use for each field, compared lower-cased with spaces, _ and - as one space.
// Google Contacts exports its first address as "E-mail 1 - Value" (and the company as "Organization Name",
// earlier "Organization 1 - Name"); Outlook writes "E-mail Address", "Business Phone", "Mobile Phone".
const HEADER_NAMES: Record<string, ContactField | "firstName" | "lastName"> = {
  "e mail 1 value": "email",
  "email 1 value": "email",
  "organization 1 name": "company",
  "organization name": "company",
  "organization 1 title": "title",
  "organization title": "title",
  "phone 1 value": "phone",
  "mobile phone": "phone",
  "business phone": "phone",
  "primary phone": "phone",
  name: "name",
  "full name": "name",
  "display name": "name",
  "contact name": "name",
  "first name": "firstName",
  "given name": "firstName",
  "last name": "lastName",
  "family name": "lastName",
  surname: "lastName",
  email: "email",
  "e mail": "email",
  "email address": "email",
  "e mail address": "email",
  company: "company",
  "company name": "company",
  organization: "company",
  organisation: "company",
  title: "title",
  "job title": "title",
  position: "title",
  phone: "phone",
  "phone number": "phone",
  telephone: "phone",
  mobile: "phone",
  notes: "notes",
  note: "notes",
  comments: "notes",
};

const headerKey = (cell: string) =>
  cell
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");

export type ImportRowError = { row: number; field: ContactField | "row"; message: string };

export type ImportItem = {
  email: string;
  /** The file's rows that made it, in order (duplicates of an address merge into one item). */
  rows: number[];
  action: "create" | "update" | "unchanged";
  /** The contact as it will be saved. */
  values: ContactValues;
  /** For an update: the fields the file changes. */
  changed: ContactField[];
  contactId: string | null;
};

export type ImportPlan = {
  items: ImportItem[];
  errors: ImportRowError[];
  /** Header cells Evergreen does not import, as written. */
  ignoredColumns: string[];
  dataRows: number;
  counts: { create: number; update: number; unchanged: number; skippedRows: number };
  /** Names this exact plan, so a confirmation applies what was previewed or nothing. */
  digest: string;
};

/** The merge rule, in the words the import page shows. */
export const IMPORT_MERGE_RULE =
  "Rows are matched to contacts by email, ignoring case. When an address is already a contact, or appears on several rows, the rows update that one contact: a filled-in cell replaces the saved value, an empty cell keeps it, and notes are added below the notes already saved.";

function mergeInto(base: ContactValues, row: ContactValues): ContactValues {
  const merged = { ...base };
  for (const field of CONTACT_FIELDS) {
    const value = row[field];
    if (value === "") continue;
    if (field !== "notes") merged[field] = value;
    else if (!base.notes.includes(value)) merged.notes = base.notes ? `${base.notes}\n\n${value}` : value;
  }
  return merged;
}

function readHeader(header: string[]) {
  const columns = new Map<ContactField | "firstName" | "lastName", number>();
  const ignored: string[] = [];
  header.forEach((cell, index) => {
    const key = headerKey(cell);
    // Own names only: "constructor" or "__proto__" in a header is a column Evergreen does not read.
    const field = Object.hasOwn(HEADER_NAMES, key) ? HEADER_NAMES[key] : undefined;
    if (field && !columns.has(field)) columns.set(field, index);
    else if (cell.trim()) ignored.push(cell.trim().slice(0, 60));
  });
  if (!columns.has("email")) {
    const seen = header
      .map((cell) => cell.trim().slice(0, 40))
      .filter(Boolean)
      .slice(0, 8)
      .join(", ");
    throw new UserError(
      `The first row must name the columns, one of them "email" (others Evergreen reads: name, company, title, phone, notes). ${seen ? `This file's first row reads: ${seen}.` : "This file's first row is empty."}`,
      "csv",
    );
  }
  return { columns, ignored };
}

function checkImportSize(csvText: string) {
  const bytes = Buffer.byteLength(csvText, "utf8");
  if (bytes > MAX_IMPORT_BYTES) {
    throw new UserError(
      `The CSV is ${(bytes / 1024 / 1024).toFixed(1)} MB; import at most 2 MB at a time (split the file into smaller ones).`,
      "csv",
    );
  }
  if (csvText.trim() === "") throw new UserError("The CSV is empty: paste its text or choose a .csv file.", "csv");
}

async function existingContacts(userId: string, emails: string[], deps: AppDeps) {
  const found = new Map<string, ContactValues & { id: string }>();
  for (let start = 0; start < emails.length; start += 500) {
    const batch = await deps.db.contact.findMany({
      where: { userId, email: { in: emails.slice(start, start + 500) } },
      select: { id: true, name: true, email: true, company: true, title: true, phone: true, notes: true },
    });
    for (const contact of batch) found.set(contact.email, contact);
  }
  return found;
}

/**
 * What importing this CSV would do for the user, without changing anything: each address once, as a
 * new contact or an update to an existing one, and every row that cannot be imported with its reason.
 * Throws UserError (field "csv") when the file as a whole cannot be read.
 */
export async function planContactImport(
  userId: string,
  csvText: string,
  deps: AppDeps = appDeps(),
): Promise<ImportPlan> {
  checkImportSize(csvText);
  let records;
  try {
    records = parseCsv(csvText);
  } catch (error) {
    if (error instanceof CsvError) throw new UserError(error.message, "csv");
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw new UserError("The CSV is empty: paste its text or choose a .csv file.", "csv");
  if (data.length > MAX_IMPORT_ROWS) {
    throw new UserError(
      `The CSV has ${data.length.toLocaleString("en")} rows; import at most ${MAX_IMPORT_ROWS.toLocaleString("en")} at a time (split the file).`,
      "csv",
    );
  }
  const { columns, ignored } = readHeader(header.fields);
  const cell = (fields: string[], key: ContactField | "firstName" | "lastName") => {
    const index = columns.get(key);
    return index === undefined ? "" : (fields[index] ?? "");
  };

  const errors: ImportRowError[] = [];
  const valid: Array<{ row: number; values: ContactValues }> = [];
  let dataRows = 0;
  for (const { row, fields } of data) {
    if (fields.every((value) => value.trim() === "")) continue;
    dataRows += 1;
    if (fields.length > header.fields.length && fields.slice(header.fields.length).some((value) => value.trim())) {
      errors.push({
        row,
        field: "row",
        message: `Row ${row} has ${fields.length} values but the first row names ${header.fields.length} columns: put a value that contains a comma in double quotes.`,
      });
      continue;
    }
    const name =
      cell(fields, "name") ||
      [cell(fields, "firstName").trim(), cell(fields, "lastName").trim()].filter(Boolean).join(" ");
    const parsed = contactSchema.safeParse({
      name,
      email: cell(fields, "email"),
      company: cell(fields, "company"),
      title: cell(fields, "title"),
      phone: cell(fields, "phone"),
      notes: cell(fields, "notes"),
    });
    if (parsed.success) valid.push({ row, values: parsed.data });
    else
      for (const issue of parsed.error.issues)
        errors.push({ row, field: (issue.path[0] as ContactField | undefined) ?? "row", message: issue.message });
  }

  const existing = await existingContacts(userId, [...new Set(valid.map(({ values }) => values.email))], deps);
  const items = new Map<string, ImportItem & { before: ContactValues | null }>();
  for (const { row, values } of valid) {
    const item = items.get(values.email);
    const saved = existing.get(values.email);
    const base = item?.values ?? (saved ? pickValues(saved) : null);
    const merged = base ? mergeInto(base, values) : values;
    if (merged.notes.length > CONTACT_LIMITS.notes) {
      errors.push({
        row,
        field: "notes",
        message: `Notes, added to the notes already there for ${values.email}, pass ${CONTACT_LIMITS.notes.toLocaleString("en")} characters: shorten them.`,
      });
      continue;
    }
    if (item) {
      item.values = merged;
      item.rows.push(row);
    } else {
      items.set(values.email, {
        email: values.email,
        rows: [row],
        action: "create",
        values: merged,
        changed: [],
        contactId: saved?.id ?? null,
        before: saved ? pickValues(saved) : null,
      });
    }
  }

  const planned: ImportItem[] = [...items.values()].map(({ before, ...item }) => {
    if (!before) return item;
    const changed = CONTACT_FIELDS.filter((field) => item.values[field] !== before[field]);
    return { ...item, changed, action: changed.length > 0 ? "update" : "unchanged" };
  });
  errors.sort((a, b) => a.row - b.row);
  const count = (action: ImportItem["action"]) => planned.filter((item) => item.action === action).length;
  return {
    items: planned,
    errors,
    ignoredColumns: ignored,
    dataRows,
    counts: {
      create: count("create"),
      update: count("update"),
      unchanged: count("unchanged"),
      skippedRows: new Set(errors.map((error) => error.row)).size,
    },
    digest: createHash("sha256")
      .update(JSON.stringify(planned.map(({ contactId, action, values }) => [contactId, action, values])))
      .digest("base64url"),
  };
}

function pickValues(contact: ContactValues): ContactValues {
  const { name, email, company, title, phone, notes } = contact;
  return { name, email, company, title, phone, notes };
}

/** Raised inside the import's transaction when the user's contacts changed under it. */
class ImportRaced extends Error {}

export type ImportResult = { created: number; updated: number; unchanged: number; skippedRows: number };

/**
 * Imports a CSV as planContactImport previews it, in one transaction: rows with errors are skipped,
 * the rest applied. With `digest` (from the preview the user confirmed) the import refuses, changing
 * nothing, when the plan is no longer the one previewed.
 */
export async function importContacts(
  userId: string,
  csvText: string,
  { digest }: { digest?: string } = {},
  deps: AppDeps = appDeps(),
): Promise<ImportResult> {
  const plan = await planContactImport(userId, csvText, deps);
  const changedSincePreview = new UserError(
    "Your contacts changed since the preview, so nothing was imported. Check the new preview, then import again.",
  );
  if (digest !== undefined && digest !== plan.digest) throw changedSincePreview;
  const creates = plan.items.filter((item) => item.action === "create");
  const updates = plan.items.filter((item) => item.action === "update");
  try {
    await deps.db.$transaction(
      async (tx) => {
        for (let start = 0; start < creates.length; start += 500) {
          await tx.contact.createMany({
            data: creates
              .slice(start, start + 500)
              .map(({ values }) => ({ userId, ...values, searchText: searchTextOf(values) })),
          });
        }
        for (const { contactId, values } of updates) {
          const { count } = await tx.contact.updateMany({
            where: { id: contactId!, userId },
            data: { ...values, searchText: searchTextOf(values) },
          });
          if (count !== 1) throw new ImportRaced();
        }
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  } catch (error) {
    if (error instanceof ImportRaced || isUniqueViolation(error)) throw changedSincePreview;
    throw error;
  }
  return {
    created: creates.length,
    updated: updates.length,
    unchanged: plan.counts.unchanged,
    skippedRows: plan.counts.skippedRows,
  };
}

/** How many contacts the user has, for the dashboard. */
export async function countContacts(userId: string, deps: AppDeps = appDeps()): Promise<number> {
  return deps.db.contact.count({ where: { userId } });
}
