/**
 * A contact's fields, their names on screen and the import's limits: plain values, so the contact
 * pages' client components and the specs (which cannot load Prisma) share them with lib/crm/contacts.ts
 * and lib/crm/import.ts.
 */

export const CONTACT_FIELDS = ["name", "email", "company", "title", "phone", "notes", "timeZone"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const CONTACT_FIELD_LABELS: Record<ContactField, string> = {
  name: "Name",
  email: "Email",
  company: "Company",
  title: "Title",
  phone: "Phone",
  notes: "Notes",
  timeZone: "Time zone",
};

/** What the contact form and a CSV row hold beyond those fields: an explicit first name, and tags. */
export type ContactFormField = ContactField | "firstName" | "tags";

export const CONTACT_FORM_FIELD_LABELS: Record<ContactFormField, string> = {
  ...CONTACT_FIELD_LABELS,
  firstName: "First name",
  tags: "Tags",
};

/** A tag on a contact: its key is the label lower-cased, so "VIP" and "vip" are one tag. */
export type TagLabel = { key: string; label: string };

/** A tag's label is at most `length` characters; a contact has at most `perContact` tags. */
export const TAG_LIMITS = { length: 40, perContact: 20 } as const;

export const MAX_IMPORT_ROWS = 5_000;
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

/**
 * A contact's first name: the one set explicitly, else the first word of the name. An address-like
 * or empty name gives "" (a merge then uses its fallback, never "Hi ,").
 */
export function firstNameOf(contact: { firstName?: string | null; name: string }): string {
  const explicit = contact.firstName?.trim();
  if (explicit) return explicit;
  return nameWords(contact.name)[0] ?? "";
}

/** The rest of the name after its first word ("" for a one-word name). */
export function lastNameOf(contact: { name: string }): string {
  return nameWords(contact.name).slice(1).join(" ");
}

function nameWords(name: string): string[] {
  const trimmed = name.trim();
  if (trimmed.includes("@")) return [];
  return trimmed.split(/\s+/).filter(Boolean);
}
