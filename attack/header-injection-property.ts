import { domainToASCII } from "node:url";
import fc from "fast-check";
import type { AddressObject, HeaderValue } from "mailparser";
import { expect } from "vitest";
import { formatMailbox, parseMailbox, recipientAddress } from "@/lib/mail/email-address";
import type { ComposeInput, ValidMessage } from "@/lib/mail/compose";
import { safeDisplayName } from "@/lib/mail/mime";
import { headerText, recipientValue, replyReference } from "./arbitraries/header-values";
import {
  asOutboxBuildsIt,
  expectEqual,
  expectParsedValue,
  headerBlock,
  MESSAGE_ID,
  postForm,
  SENDER,
  sendAndParse,
  unsafeHeaderLines,
  validate,
  VALUES_PER_FIELD,
} from "./compose-round-trip";
import { headerNames } from "./parsed-mail";

/**
 * Header injection through every top-level header a user's input reaches: To, Cc, Bcc, Subject,
 * In-Reply-To/References and the sender's display name. Each run is one submission carrying a value for
 * every one of them; the runs are split between two test files, which two Vitest workers run at once.
 */

/** Runs per shard: the two shards together give each field VALUES_PER_FIELD values. */
export const TOP_LEVEL_RUNS_PER_SHARD = Math.ceil(VALUES_PER_FIELD / 2);
const FIELDS = ["to", "cc", "bcc", "subject", "inReplyTo"] as const;
type Field = (typeof FIELDS)[number];
const LABELS: Record<Field, string> = { to: "To", cc: "Cc", bcc: "Bcc", subject: "Subject", inReplyTo: "In-Reply-To" };
const LISTS: ReadonlySet<Field> = new Set(["to", "cc", "bcc"]);

/** One compose submission with a value for every top-level header-bound field, and the sender's name. */
export const submission = fc.record({
  to: fc.array(recipientValue, { minLength: 1, maxLength: 3 }),
  cc: fc.oneof(
    { weight: 1, arbitrary: fc.constant<string[]>([]) },
    { weight: 3, arbitrary: fc.array(recipientValue, { minLength: 1, maxLength: 3 }) },
  ),
  bcc: fc.oneof(
    { weight: 1, arbitrary: fc.constant<string[]>([]) },
    { weight: 3, arbitrary: fc.array(recipientValue, { minLength: 1, maxLength: 3 }) },
  ),
  subject: headerText(),
  inReplyTo: replyReference,
  senderName: fc.oneof(headerText(), fc.constantFrom("Ada Lovelace", "Zoë Ünal", "O'Brien, Pat", null)),
});

// A line break or control, or an encoded word the recipient's client would decode, in the name it shows.
const UNSAFE_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|=\?[^?\s]*\?[bq]\?/i;
// What the sender's name may lose on the way: controls, encoded words, doubled or outer spaces, lone surrogates.
const NORMALISED_AWAY = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cs}]|=\?| {2}|^\s|\s$/iu;
// UTF-8 cannot carry a lone surrogate: it is written (and read back) as U+FFFD.
const asUtf8 = (text: string) => Buffer.from(text, "utf8").toString("utf8");
// How the form normalises a recipient list: each `address` or `Name <address>` trimmed, the address
// lower-cased and the name kept, each address once (the first value naming it wins).
const normalisedList = (values: string[]) => {
  const byAddress = new Map<string, string>();
  for (const value of values) {
    const { name, address } = parseMailbox(value);
    const key = address.toLowerCase();
    if (value.trim() && !byAddress.has(key)) byAddress.set(key, formatMailbox({ name, address: key }));
  }
  return [...byAddress.values()];
};
// The envelope: every address of To, Cc and Bcc once.
const envelopeOf = (...lists: string[][]) => [...new Set(lists.flat().map(recipientAddress))];
// mailparser shows an IDN domain in Unicode; the address on the wire is its ASCII (punycode) form.
const asciiAddress = (address = "") => {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1))}`;
};
const entries = (value: HeaderValue | undefined) =>
  value === undefined
    ? []
    : (value as AddressObject).value.map(({ name, address }) => ({ name, address: asciiAddress(address) }));
// Each recipient as the MIME must carry it: its name exactly as stored (or none) beside its address.
const mailboxes = (recipients: string[]) => recipients.map(parseMailbox);

const count = () => ({ to: 0, cc: 0, bcc: 0, subject: 0, inReplyTo: 0, senderName: 0 });

export async function checkTopLevelHeaders(seed: number): Promise<void> {
  const generated = count();
  const accepted = count();
  await fc.assert(
    fc.asyncProperty(submission, async ({ senderName, ...fields }) => {
      // inReplyTo is not a field of the compose form; it reaches composeSchema from its other callers.
      const input: ComposeInput = { ...(await postForm(fields)), inReplyTo: fields.inReplyTo };
      for (const field of FIELDS) generated[field] += LISTS.has(field) ? fields[field as "to"].length : 1;
      generated.senderName += 1;

      // The whole form, as the send action validates it: each refused field has errors naming it…
      const first = validate(input);
      const refused = first.accepted ? [] : Object.keys(first.fieldErrors);
      const changes: Partial<ComposeInput> = { ...input };
      for (const field of refused) {
        if (!(FIELDS as readonly string[]).includes(field)) expect(FIELDS).toContain(field);
        const errors = (first as { fieldErrors: Record<string, string[]> }).fieldErrors[field]!;
        if (!errors.every((error) => error.includes(LABELS[field as Field])))
          expect(errors).toEqual([expect.stringContaining(LABELS[field as Field])]);
        delete changes[field as Field];
      }
      // … and the form is accepted once exactly those fields are back to their defaults, every other value
      // as the documented normalisation says: recipients trimmed, addresses lower-cased, names kept, each
      // address once; the subject trimmed.
      const verdict = first.accepted ? first : validate(changes);
      if (!verdict.accepted) expect(verdict).toMatchObject({ accepted: true });
      const message = (verdict as { value: ValidMessage }).value;
      for (const field of FIELDS) {
        if (refused.includes(field)) continue;
        const list = LISTS.has(field);
        expectEqual(
          message[field],
          list ? normalisedList(input[field] as string[]) : field === "subject" ? input.subject.trim() : input[field],
        );
        accepted[field] += list ? (input[field] as string[]).length : 1;
      }

      const { raw, envelope, parsed } = await sendAndParse(asOutboxBuildsIt(message, senderName), {
        headersOnly: true,
      });
      const root = parsed.parts[0]!;
      const context = () => headerBlock(raw);

      expectEqual(unsafeHeaderLines(parsed), [], context);
      const expected = ["content-type", "date", "from", "message-id", "mime-version", "to"];
      if (message.cc.length > 0) expected.push("cc");
      if (message.bcc.length > 0) expected.push("bcc");
      if (message.subject) expected.push("subject");
      if (message.inReplyTo) expected.push("in-reply-to", "references");
      expectEqual(headerNames(root), expected.sort(), context);

      expectEqual(envelope, { from: SENDER, to: envelopeOf(message.to, message.cc, message.bcc) });
      expectEqual(entries(root.headers.get("to")), mailboxes(message.to), context);
      expectEqual(entries(root.headers.get("cc")), mailboxes(message.cc), context);
      expectEqual(entries(root.headers.get("bcc")), mailboxes(message.bcc), context);

      // The sender's name comes from the Google profile, unvalidated: the builder makes it safe itself.
      const from = entries(root.headers.get("from"));
      expectEqual(from, [{ name: asUtf8(safeDisplayName(senderName)), address: SENDER }], context);
      if (UNSAFE_NAME.test(from[0]!.name)) expect(from[0]!.name).not.toMatch(UNSAFE_NAME);
      if (from[0]!.name === (senderName ?? "")) accepted.senderName += 1;
      else expect(senderName).toMatch(NORMALISED_AWAY);

      const rawLine = (key: string) => root.headerLines.find((line) => line.key === key)?.line;
      expectParsedValue(root.headers.get("subject") ?? "", message.subject, rawLine("subject"), context);
      expectEqual(root.headers.get("in-reply-to"), message.inReplyTo || undefined, context);
      expectEqual(root.headers.get("references"), message.inReplyTo || undefined, context);
      expectEqual(root.headers.get("message-id"), MESSAGE_ID, context);
    }),
    { numRuns: TOP_LEVEL_RUNS_PER_SHARD, seed },
  );

  for (const field of Object.keys(generated) as Array<keyof typeof generated>) {
    expect(generated[field], field).toBeGreaterThanOrEqual(TOP_LEVEL_RUNS_PER_SHARD);
    // Neither side is vacuous: many values reach the builder, and many are refused or normalised.
    expect(accepted[field] / generated[field], field).toBeGreaterThan(0.2);
    expect(accepted[field] / generated[field], field).toBeLessThan(0.9);
  }
}
