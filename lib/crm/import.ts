import { createHash } from "node:crypto";
import {
  CONTACT_FIELDS,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  TAG_LIMITS,
  type ContactFormField,
  type TagLabel,
} from "./contact-fields";
import { isUniqueViolation } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { CsvError, parseCsv } from "./csv";
import { UserError } from "../platform/errors";
import { contactFormSchema, type ContactFormValues } from "./contact-form";
import { CONTACT_LIMITS, searchTextOf } from "./contacts";

/**
 * CSV import of the user's contacts, with a preview: the plan (each address once, created or merged into
 * the saved contact) and applying it in one transaction. Every query is scoped by the owner's id.
 */

// Header names a spreadsheet may use for each field, compared lower-cased with spaces, _ and - as one space.
// Google Contacts exports its first address as "E-mail 1 - Value" (and the company as "Organization Name",
// earlier "Organization 1 - Name"); Outlook writes "E-mail Address", "Business Phone", "Mobile Phone".
const HEADER_NAMES: Record<string, ContactFormField | "lastName"> = {
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
  firstname: "firstName",
  "given name": "firstName",
  "last name": "lastName",
  lastname: "lastName",
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
  tags: "tags",
  tag: "tags",
  "time zone": "timeZone",
  timezone: "timeZone",
  tz: "timeZone",
};

const headerKey = (cell: string) =>
  cell
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");

export type ImportRowError = { row: number; field: ContactFormField | "row"; message: string };

/** A contact as the import saves it: the form's fields, first name and tags included. */
export type ImportValues = ContactFormValues;

export type ImportItem = {
  email: string;
  /** The file's rows that made it, in order (duplicates of an address merge into one item). */
  rows: number[];
  action: "create" | "update" | "unchanged";
  /** The contact as it will be saved, with all its tags. */
  values: ImportValues;
  /** For an update: the fields the file changes ("tags" when it adds some). */
  changed: ContactFormField[];
  /** The tags the import adds: all of a new contact's, an existing contact's new ones. */
  addedTags: TagLabel[];
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
  "Rows are matched to contacts by email, ignoring case. When an address is already a contact, or appears on several rows, the rows update that one contact: a filled-in cell replaces the saved value, an empty cell keeps it, notes are added below the notes already saved, and tags are added to the contact's tags (none is removed).";

function mergeInto(base: ImportValues, row: ImportValues): ImportValues {
  const merged = { ...base, tags: [...base.tags] };
  for (const field of [...CONTACT_FIELDS, "firstName"] as const) {
    const value = row[field];
    if (value === "") continue;
    if (field !== "notes") merged[field] = value;
    else if (!base.notes.includes(value)) merged.notes = base.notes ? `${base.notes}\n\n${value}` : value;
  }
  // A tag the contact has keeps its label; a new one is added as the file writes it.
  for (const tag of row.tags) if (!merged.tags.some(({ key }) => key === tag.key)) merged.tags.push(tag);
  return merged;
}

function readHeader(header: string[]) {
  const columns = new Map<ContactFormField | "lastName", number>();
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
      `The first row must name the columns, one of them "email" (others Evergreen reads: name, first name, company, title, phone, notes, tags, time zone). ${seen ? `This file's first row reads: ${seen}.` : "This file's first row is empty."}`,
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
  const found = new Map<string, ImportValues & { id: string }>();
  for (let start = 0; start < emails.length; start += 500) {
    const batch = await deps.db.contact.findMany({
      where: { userId, email: { in: emails.slice(start, start + 500) } },
      select: {
        id: true,
        name: true,
        email: true,
        company: true,
        title: true,
        phone: true,
        notes: true,
        firstName: true,
        timeZone: true,
        tags: { select: { key: true, label: true }, orderBy: { key: "asc" } },
      },
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
  const cell = (fields: string[], key: ContactFormField | "lastName") => {
    const index = columns.get(key);
    return index === undefined ? "" : (fields[index] ?? "");
  };

  const errors: ImportRowError[] = [];
  const valid: Array<{ row: number; values: ImportValues }> = [];
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
    const parsed = contactFormSchema.safeParse({
      name,
      email: cell(fields, "email"),
      company: cell(fields, "company"),
      title: cell(fields, "title"),
      phone: cell(fields, "phone"),
      notes: cell(fields, "notes"),
      timeZone: cell(fields, "timeZone"),
      firstName: cell(fields, "firstName"),
      tags: cell(fields, "tags"),
    });
    if (parsed.success) valid.push({ row, values: parsed.data });
    else
      for (const issue of parsed.error.issues)
        errors.push({ row, field: (issue.path[0] as ContactFormField | undefined) ?? "row", message: issue.message });
  }

  const existing = await existingContacts(userId, [...new Set(valid.map(({ values }) => values.email))], deps);
  const items = new Map<string, ImportItem & { before: ImportValues | null }>();
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
    if (merged.tags.length > TAG_LIMITS.perContact) {
      errors.push({
        row,
        field: "tags",
        message: `Tags, added to the tags already there for ${values.email}, pass ${TAG_LIMITS.perContact}: a contact has at most ${TAG_LIMITS.perContact}; list fewer.`,
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
        addedTags: [],
        contactId: saved?.id ?? null,
        before: saved ? pickValues(saved) : null,
      });
    }
  }

  const planned: ImportItem[] = [...items.values()].map(({ before, ...item }) => {
    if (!before) return { ...item, addedTags: item.values.tags };
    const addedTags = item.values.tags.filter((tag) => !before.tags.some(({ key }) => key === tag.key));
    const changed: ContactFormField[] = [...CONTACT_FIELDS, "firstName" as const].filter(
      (field) => item.values[field] !== before[field],
    );
    if (addedTags.length > 0) changed.push("tags");
    return { ...item, changed, addedTags, action: changed.length > 0 ? "update" : "unchanged" };
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

function pickValues(contact: ImportValues): ImportValues {
  const { name, email, company, title, phone, notes, timeZone, firstName, tags } = contact;
  return { name, email, company, title, phone, notes, timeZone, firstName, tags };
}

/** A contact's columns as the import writes them (its tags are rows of their own). */
function contactData(values: ImportValues) {
  const { name, email, company, title, phone, notes, timeZone, firstName } = values;
  return { name, email, company, title, phone, notes, timeZone, firstName, searchText: searchTextOf(values) };
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
        const tagRows: Array<TagLabel & { contactId: string; userId: string }> = [];
        for (let start = 0; start < creates.length; start += 500) {
          const batch = creates.slice(start, start + 500);
          const made = await tx.contact.createManyAndReturn({
            data: batch.map(({ values }) => ({ userId, ...contactData(values) })),
            select: { id: true, email: true },
          });
          const idOf = new Map(made.map(({ id, email }) => [email, id]));
          for (const { email, addedTags } of batch)
            for (const tag of addedTags) tagRows.push({ contactId: idOf.get(email)!, userId, ...tag });
        }
        for (const { contactId, values, addedTags } of updates) {
          const { count } = await tx.contact.updateMany({
            where: { id: contactId!, userId },
            data: contactData(values),
          });
          if (count !== 1) throw new ImportRaced();
          for (const tag of addedTags) tagRows.push({ contactId: contactId!, userId, ...tag });
        }
        // A tag added since the preview makes this refuse (unique key): the preview no longer holds.
        for (let start = 0; start < tagRows.length; start += 1_000)
          await tx.contactTag.createMany({ data: tagRows.slice(start, start + 1_000) });
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
