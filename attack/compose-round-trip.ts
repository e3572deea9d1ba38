import { isDeepStrictEqual } from "node:util";
import { expect } from "vitest";
import { z } from "zod";
import { composeSchema, readComposeForm, type ComposeInput, type ValidMessage } from "@/lib/mail/compose";
import { composeMime, type MimeInput } from "@/lib/mail/mime";
import { parseMail, type ParsedMail } from "./parsed-mail";

/**
 * The path of a header-bound value through Evergreen, with the real code at each step: the compose
 * form's fields (readComposeForm) → composeSchema, as the send action runs them → the message as the
 * outbox builds it (composeMime, from what enqueueMessage stored) → the bytes Gmail receives, parsed
 * back by mailparser.
 */

/**
 * Generated values per header-bound field and run: 100,000 at normal scale, 200,000 under
 * ATTACK_SCALE=heavy (`npm test`'s attack step, in every CI run, which must stay well under 30 minutes).
 */
export const VALUES_PER_FIELD = process.env.ATTACK_SCALE === "heavy" ? 200_000 : 100_000;
/** A property's time limit: 5 minutes per 100,000 values, far above what a busy 2-core machine needs. */
export const PROPERTY_TIMEOUT_MS = (VALUES_PER_FIELD / 100_000) * 5 * 60_000;

export const SENDER = "ada@evergreen.test";
export const MESSAGE_ID = "<m1.0a1b2c3d@evergreen.test>";

/** A form validation accepts; each property varies some of its fields. */
export const BASE_FORM: ComposeInput = {
  to: ["grace@evergreen.test"],
  cc: [],
  bcc: [],
  subject: "Hello",
  body: "Hi Grace",
  idempotencyKey: "k2b7c9d1e3f5a7b9",
  attachments: [],
};

/** The fields as the browser posts them, read back by the send action's own reader. */
export async function postForm(fields: {
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
}): Promise<ComposeInput> {
  const form = new FormData();
  for (const name of ["to", "cc", "bcc"] as const) for (const value of fields[name] ?? []) form.append(name, value);
  form.append("subject", fields.subject ?? "");
  form.append("body", BASE_FORM.body);
  form.append("idempotencyKey", BASE_FORM.idempotencyKey);
  return readComposeForm(form);
}

export type FieldVerdict<T> =
  { accepted: true; value: T } | { accepted: false; fieldErrors: Record<string, string[]>; paths: PropertyKey[][] };

/**
 * composeSchema on the base form with only `changes` different, as the send action reports it: the
 * accepted message, or the field errors the form shows (the action never sees a throw).
 */
export function validate(changes: Partial<ComposeInput>): FieldVerdict<ValidMessage> {
  const parsed = composeSchema.safeParse({ ...BASE_FORM, ...changes });
  if (parsed.success) return { accepted: true, value: parsed.data };
  return {
    accepted: false,
    fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
    paths: parsed.error.issues.map((issue) => issue.path),
  };
}

/** The MimeInput the outbox makes of a stored message (lib/mail/outbox.ts, sendClaimedMessage). */
export function asOutboxBuildsIt(message: ValidMessage, senderName: string | null): MimeInput {
  return {
    from: { name: senderName, address: SENDER },
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    subject: message.subject,
    text: message.body,
    attachments: message.attachments.map(({ filename, contentType, content }) => ({ filename, contentType, content })),
    messageId: MESSAGE_ID,
    inReplyTo: message.inReplyTo,
    date: new Date("2030-01-02T09:00:00Z"),
  };
}

export type SentMessage = { raw: Buffer; envelope: { from: string | false; to: string[] }; parsed: ParsedMail };

/**
 * Builds the message as the outbox does and parses what Gmail would receive: all of it, or (`headersOnly`)
 * the top-level header block up to the first blank line, which is all a parser reads for top-level headers.
 */
export async function sendAndParse(input: MimeInput, { headersOnly = false } = {}): Promise<SentMessage> {
  const node = composeMime(input);
  const envelope = node.getEnvelope();
  const raw = await node.build();
  const end = raw.indexOf("\r\n\r\n");
  const parsed = await parseMail(headersOnly && end >= 0 ? raw.subarray(0, end + 4) : raw);
  return { raw, envelope: { from: envelope.from, to: envelope.to }, parsed };
}

// A header line on the wire: a name, then printable ASCII only, folded with CRLF + a space or tab.
const WIRE_HEADER = /^[!-9;-~]+:[ -~]*(?:\r\n[ \t][ -~]*)*$/;

/** Header lines that carry anything but folded printable ASCII (a raw control, 8-bit text, a bare CR or LF). */
export function unsafeHeaderLines(parsed: ParsedMail): string[] {
  return parsed.parts
    .flatMap((part) => part.headerLines.map((line) => line.line))
    .filter((line) => !WIRE_HEADER.test(line));
}

/** The top-level header block as raw text, for failure messages. */
export const headerBlock = (raw: Buffer) => raw.subarray(0, raw.indexOf("\r\n\r\n")).toString("latin1");

/** expect(actual).toEqual(expected), cheap when it holds (a property checks it hundreds of thousands of times). */
export function expectEqual(actual: unknown, expected: unknown, context?: () => string) {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, context?.()).toEqual(expected);
}

/**
 * A header value as mailparser read it back. mailparser unfolds a folded line into one space (RFC 5322
 * only removes the CRLF), so spaces at a fold may shrink: then the value must match with runs of spaces
 * as one, and the raw line must show the fold (the wire kept them all).
 */
export function expectParsedValue(
  parsed: unknown,
  expected: string,
  rawLine: string | undefined,
  context?: () => string,
) {
  if (parsed === expected) return;
  const spaced = (value: unknown) => String(value).replace(/ +/g, " ");
  expectEqual(spaced(parsed), spaced(expected), context);
  expect(rawLine, context?.()).toMatch(/\r?\n[ \t]{2}/);
}
