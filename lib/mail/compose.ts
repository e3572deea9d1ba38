import { z } from "zod";
import { UNSUBSCRIBE_LINK_ONE_RECIPIENT } from "../outreach/unsubscribe-copy";
import { formatMailbox, MAX_ADDRESS_LENGTH, parseMailbox, recipientAddress, recipientProblem } from "./email-address";
import { ENCODED_WORD, HEADER_CONTROL } from "./mime";
import { formText } from "../platform/action-state";

/**
 * What the compose form may send: the limits and rules the form shows and the server checks again
 * (lib/mail/messages.ts stores what passes).
 */

/** Gmail accepts at most 100 recipients per message sent through its API. */
export const MAX_RECIPIENTS = 100;
export const MAX_SUBJECT_LENGTH = 500;
export const MAX_BODY_LENGTH = 200_000;
/** Attachments as Gmail takes them (25 MB), which base64 keeps under the 35 MB upload limit. */
export const MAX_ATTACHMENTS_BYTES = 25 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;
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
    /** A follow-up: the id of the user's sent message whose Gmail thread this joins (lib/mail/follow-up.ts). */
    followUpOf: z
      .string()
      .max(64, "The email to follow up on is not one of yours; start a new message.")
      .regex(/^[A-Za-z0-9_-]+$/, "The email to follow up on is not one of yours; start a new message.")
      .optional(),
    attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS, `At most ${MAX_ATTACHMENTS} attachments.`).default([]),
    /** Add a one-click unsubscribe link for the one recipient (lib/outreach/unsubscribe.ts). */
    unsubscribeLink: z.boolean().optional(),
    /** Addresses that unsubscribed which the user chose to send to anyway ("Send anyway"). */
    sendToUnsubscribed: z
      .array(z.string().max(MAX_ADDRESS_LENGTH).transform(recipientAddress))
      .max(MAX_RECIPIENTS)
      .optional(),
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
    // The link unsubscribes the one person it was made for; anyone else who sees it could use it.
    if (message.unsubscribeLink && (message.to.length !== 1 || message.cc.length + message.bcc.length > 0))
      ctx.addIssue({ code: "custom", path: ["unsubscribeLink"], message: UNSUBSCRIBE_LINK_ONE_RECIPIENT });
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
 * field, `sendAt` an ISO instant or absent, attachments as files; `unsubscribeLink` present means
 * yes, each `sendToUnsubscribed` names an address to send to although it unsubscribed, and
 * `followUpOf` names the sent message a follow-up answers.
 */
export async function readComposeForm(form: FormData): Promise<ComposeInput> {
  const text = (name: string) => formText(form, name);
  const list = (name: string) => form.getAll(name).filter((value) => typeof value === "string");
  // A file input left empty still submits one nameless, empty file. Next's multipart reader names it
  // "undefined" (the part's missing filename, stringified by the File constructor).
  const files = form
    .getAll("attachments")
    .filter(
      (value): value is File =>
        typeof value !== "string" && (value.size > 0 || !["", "undefined"].includes(value.name ?? "")),
    );
  return {
    to: list("to"),
    cc: list("cc"),
    bcc: list("bcc"),
    subject: text("subject"),
    body: text("body"),
    idempotencyKey: text("idempotencyKey"),
    sendAt: text("sendAt") || undefined,
    followUpOf: text("followUpOf") || undefined,
    unsubscribeLink: form.has("unsubscribeLink"),
    sendToUnsubscribed: list("sendToUnsubscribed"),
    attachments: await Promise.all(
      files.map(async (file) => ({
        filename: file.name ?? "",
        contentType: file.type || "application/octet-stream",
        content: Buffer.from(await file.arrayBuffer()),
      })),
    ),
  };
}
