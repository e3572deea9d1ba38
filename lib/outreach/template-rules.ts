import { z } from "zod";
import { MAX_SUBJECT_LENGTH } from "../mail/compose";
import { ENCODED_WORD, HEADER_CONTROL } from "../mail/mime";
import { checkTemplateText } from "./templates";
import { formText } from "../platform/action-state";

/**
 * The template form's rules. The subject follows compose's (a template's subject becomes a message's),
 * and every field's merge fields are checked here, so a typo is refused at the field it is in.
 */

export const TEMPLATE_FIELDS = ["name", "subject", "body"] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export const TEMPLATE_LIMITS = { name: 100, subject: MAX_SUBJECT_LENGTH, body: 100_000 } as const;

// The body may have line breaks and tabs, no other control character.
const BODY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;
// Half of a surrogate pair is no character: no browser sends one, and the database layer throws on it.
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const NAME_REQUIRED = "Name is required: call it something you will recognise, like Intro after a call.";
const BODY_REQUIRED = "Body is required: write the message this template starts from.";

/** One message per field: the first rule it breaks, naming the field and the fix. */
function templateText(
  label: string,
  max: number,
  {
    oneLine,
    required,
    mergeFields = true,
    check,
  }: { oneLine: boolean; required?: string; mergeFields?: boolean; check?: (value: string) => string | undefined },
) {
  return z.string().superRefine((value, ctx) => {
    const message =
      required && value.trim() === ""
        ? required
        : value.length > max
          ? `${label} is too long: keep it to ${max.toLocaleString("en")} characters or fewer.`
          : oneLine && HEADER_CONTROL.test(value)
            ? `${label} cannot contain line breaks or control characters; keep it on one line.`
            : !oneLine && BODY_CONTROL.test(value)
              ? `${label} cannot contain control characters (line breaks and tabs are fine); remove them.`
              : UNPAIRED_SURROGATE.test(value)
                ? `${label} contains a broken character (half of an emoji); retype it.`
                : (check?.(value) ?? (mergeFields ? mergeFieldProblem(label, value) : undefined));
    if (message) ctx.addIssue({ code: "custom", message });
  });
}

/** "Unknown field …" as "Subject: unknown field …", or nothing when the merge fields are all right. */
function mergeFieldProblem(label: string, value: string): string | undefined {
  const checked = checkTemplateText(value);
  return checked.ok ? undefined : `${label}: ${checked.error[0]!.toLowerCase()}${checked.error.slice(1)}`;
}

export const templateSchema = z.object({
  name: z
    .string({ error: NAME_REQUIRED })
    .trim()
    .pipe(
      templateText("Name", TEMPLATE_LIMITS.name, {
        oneLine: true,
        required: NAME_REQUIRED,
        // A name is only a label: braces in it are plain text.
        mergeFields: false,
      }),
    ),
  subject: z
    .string({ error: "Subject must be text." })
    .trim()
    .pipe(
      templateText("Subject", TEMPLATE_LIMITS.subject, {
        oneLine: true,
        check: (value) =>
          ENCODED_WORD.test(value) ? 'Subject cannot contain "=?…?=" encoded words; type the text itself.' : undefined,
      }),
    )
    .default(""),
  body: z
    .string({ error: BODY_REQUIRED })
    .transform((value) => value.replace(/\r\n?/g, "\n"))
    .pipe(
      templateText("Body", TEMPLATE_LIMITS.body, {
        oneLine: false,
        required: BODY_REQUIRED,
      }),
    ),
});

export type TemplateInput = z.input<typeof templateSchema>;
export type TemplateValues = z.output<typeof templateSchema>;

/** The template form's fields as templateSchema reads them. */
export function readTemplateForm(form: FormData): Record<TemplateField, string> {
  return { name: formText(form, "name"), subject: formText(form, "subject"), body: formText(form, "body") };
}
