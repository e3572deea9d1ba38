/**
 * A contact's fields, their names on screen and the import's limits: plain values, so the contact
 * pages' client components and the specs (which cannot load Prisma) share them with lib/crm/contacts.ts
 * and lib/crm/import.ts.
 */

export const CONTACT_FIELDS = ["name", "email", "company", "title", "phone", "notes"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const CONTACT_FIELD_LABELS: Record<ContactField, string> = {
  name: "Name",
  email: "Email",
  company: "Company",
  title: "Title",
  phone: "Phone",
  notes: "Notes",
};

export const MAX_IMPORT_ROWS = 5_000;
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
