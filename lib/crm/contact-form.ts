import type { z } from "zod";
import { CONTACT_FIELDS, type ContactFormField } from "./contact-fields";
import { contactSchema, firstNameSchema } from "./contacts";
import { tagListSchema } from "./tags";
import { formText } from "../platform/action-state";

/**
 * The contact form, and a CSV row, as one set of rules: contactSchema's fields, an explicit first
 * name, and the contact's tags as one comma-separated text. Its own module because tags.ts reads
 * contacts.ts (a tag filter is a contact filter), so contacts.ts cannot read tags.ts.
 */
export const contactFormSchema = contactSchema.extend({ firstName: firstNameSchema, tags: tagListSchema });

export type ContactFormValues = z.output<typeof contactFormSchema>;

const FORM_FIELDS: readonly ContactFormField[] = [...CONTACT_FIELDS, "firstName", "tags"];

/** The contact form's fields as contactFormSchema reads them. */
export function readContactForm(form: FormData): Record<ContactFormField, string> {
  return Object.fromEntries(FORM_FIELDS.map((name) => [name, formText(form, name)])) as Record<
    ContactFormField,
    string
  >;
}
