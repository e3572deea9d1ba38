import fc from "fast-check";
import type { StructuredHeader } from "mailparser";
import { expect, it } from "vitest";
import { withoutBidiControls, type ValidMessage } from "@/lib/mail/compose";
import { contentType, fileContent, fileName } from "./arbitraries/header-values";
import {
  asOutboxBuildsIt,
  BASE_FORM,
  expectEqual,
  expectParsedValue,
  headerBlock,
  PROPERTY_TIMEOUT_MS,
  sendAndParse,
  SENDER,
  unsafeHeaderLines,
  validate,
  VALUES_PER_FIELD,
} from "./compose-round-trip";
import { headerNames } from "./parsed-mail";

// Header injection through attachments: a file's name and media type, as a hand-made request can post
// them, end up in each attachment's Content-Type and Content-Disposition headers.

const SEED = 12_0003;
const PER_MESSAGE = { minLength: 8, maxLength: 12 };
const RUNS = Math.ceil(VALUES_PER_FIELD / PER_MESSAGE.minLength);

const file = fc.record({
  filename: fileName,
  contentType,
  content: fileContent,
});

// A media type that may stand in a header: type/subtype, token characters only.
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;
// The MIME tree MailComposer makes: mixed → alternative → text, html, then one part per attachment.
const TEXT_PARTS = [
  ["content-type"],
  ["content-transfer-encoding", "content-type"],
  ["content-transfer-encoding", "content-type"],
];
const ROOT = ["content-type", "date", "from", "message-id", "mime-version", "subject", "to"];
const ATTACHMENT_PART = ["content-disposition", "content-transfer-encoding", "content-type"];

it(
  `no attachment name or type adds a header or a part (${VALUES_PER_FIELD.toLocaleString("en")} files)`,
  async () => {
    const generated = { filename: 0, contentType: 0 };
    const accepted = { filename: 0, contentType: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(file, PER_MESSAGE), async (files) => {
        generated.filename += files.length;
        generated.contentType += files.length;

        // All files, as the send action validates them: a refused file has an error on the attachments field…
        const first = validate({ attachments: files });
        const refused = new Set<number>();
        if (!first.accepted) {
          expectEqual(Object.keys(first.fieldErrors), ["attachments"]);
          if (!first.fieldErrors.attachments!.every((error) => /attachment/i.test(error)))
            expect(first.fieldErrors.attachments).toEqual([expect.stringMatching(/attachment/i)]);
          for (const [field, index] of first.paths) {
            if (field !== "attachments") expect(field).toBe("attachments");
            refused.add(index as number);
          }
        }
        // … and the others are accepted without them: the name trimmed and without bidirectional controls, a media type that is no media type (or
        // would make MIME structure) replaced by application/octet-stream.
        const candidates = files.filter((_, n) => !refused.has(n));
        const verdict = first.accepted ? first : validate({ attachments: candidates });
        if (!verdict.accepted) expect(verdict).toMatchObject({ accepted: true });
        const message = (verdict as { value: ValidMessage }).value;
        const kept = message.attachments;
        kept.forEach((stored, n) => {
          const candidate = candidates[n]!;
          expectEqual(stored.filename, withoutBidiControls(candidate.filename));
          if (stored.contentType !== candidate.contentType) expectEqual(stored.contentType, "application/octet-stream");
          else accepted.contentType += 1;
          if (!MEDIA_TYPE.test(stored.contentType)) expect(stored.contentType).toMatch(MEDIA_TYPE);
        });
        accepted.filename += kept.length;

        const { raw, envelope, parsed } = await sendAndParse(asOutboxBuildsIt(message, "Ada Lovelace"));
        const context = () => headerBlock(raw);
        expectEqual(unsafeHeaderLines(parsed), [], context);
        expectEqual(
          parsed.parts.map(headerNames),
          kept.length > 0 ? [ROOT, ...TEXT_PARTS, ...kept.map(() => ATTACHMENT_PART)] : [ROOT, ...TEXT_PARTS.slice(1)],
          context,
        );
        expectEqual(envelope, { from: SENDER, to: BASE_FORM.to });

        expectEqual(
          parsed.attachments.map(({ content }) => content),
          kept.map(({ content }) => content),
        );
        parsed.parts.slice(4).forEach(({ headers, headerLines }, n) => {
          const { filename, contentType: type } = kept[n]!;
          const rawLine = (key: string) => headerLines.find((line) => line.key === key)?.line;
          const contentTypeHeader = headers.get("content-type") as StructuredHeader;
          // Media types compare case-insensitively (RFC 2045).
          expectEqual(contentTypeHeader.value.toLowerCase(), type.toLowerCase(), context);
          expectParsedValue(contentTypeHeader.params.name, filename, rawLine("content-type"), context);
          const disposition = headers.get("content-disposition") as StructuredHeader;
          expectParsedValue(disposition.params.filename, filename, rawLine("content-disposition"), context);
          expectParsedValue(parsed.attachments[n]!.filename, filename, rawLine("content-disposition"), context);
        });
      }),
      { numRuns: RUNS, seed: SEED },
    );

    for (const field of ["filename", "contentType"] as const) {
      expect(generated[field], field).toBeGreaterThanOrEqual(VALUES_PER_FIELD);
      // Neither side is vacuous: many values reach the builder, and many are refused or replaced.
      expect(accepted[field] / generated[field], field).toBeGreaterThan(0.2);
      expect(accepted[field] / generated[field], field).toBeLessThan(0.9);
    }
  },
  PROPERTY_TIMEOUT_MS,
);
