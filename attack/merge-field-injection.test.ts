import fc from "fast-check";
import { expect, it } from "vitest";
import { personalise } from "@/lib/outreach/merge-feeder";
import { checkTemplateText, MERGE_FIELDS } from "@/lib/outreach/templates";
import { headerText, hostilePiece, ordinaryPiece } from "./arbitraries/header-values";
import {
  expectEqual,
  expectParsedValue,
  headerBlock,
  MESSAGE_ID,
  PROPERTY_TIMEOUT_MS,
  SENDER,
  sendAndParse,
  unsafeHeaderLines,
  VALUES_PER_FIELD,
} from "./compose-round-trip";
import { headerNames } from "./parsed-mail";

/**
 * Header injection through a mail merge's subject. The template's syntax and every contact field it
 * draws on are the attacker's: a template typed or pasted by the user, contacts imported from anyone's
 * CSV, fallbacks set on the report. Each run renders one recipient's subject exactly as the feeder
 * does (lib/outreach/merge-feeder.ts, personalise) and builds the message as the outbox does, with
 * its one-click unsubscribe headers. Whatever the values, the template is refused at its field, the
 * recipient is skipped with a reason, or the message carries exactly the headers it should, the
 * subject read back as rendered.
 */

const RUNS = Math.ceil(VALUES_PER_FIELD / 5);
const RECIPIENT = "grace@example.com";
const UNSUBSCRIBE_URL = "https://crm.example.com/u/AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

// Names a template language would resolve to an object's property: here they are unknown fields.
const PROPERTY_NAMES = ["constructor", "__proto__", "prototype", "toString", "valueOf", "hasOwnProperty"];
const PROPERTY_FIELD = new RegExp(`\\{\\{\\s*(?:${PROPERTY_NAMES.join("|")})\\s*(?:\\|[^}]*)?\\}\\}`);

/** Merge-field syntax, well formed, broken, or reaching for what plain substitution must never reach. */
const fieldSyntax: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MERGE_FIELDS).map((field) => `{{${field}}}`) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...MERGE_FIELDS), fc.oneof(headerText(3), fc.constantFrom("there", "friend", "")))
      .map(([field, fallback]) => `{{ ${field} | ${fallback} }}`),
  },
  { weight: 2, arbitrary: fc.constantFrom(...PROPERTY_NAMES).map((name) => `{{${name}}}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "{{",
      "}}",
      "{{}}",
      "{{{first_name}}}",
      "{{first_name",
      "{{ first_name | }}",
      "{{first_name|there|x}}",
      "{{first_name.constructor}}",
      "{{first_name[0]}}",
      "{{#each contacts}}",
      "{{> partial}}",
      "${process.env.AUTH_SECRET}",
      "{{=<% %>=}}",
    ),
  },
);

const subjectTemplate = fc
  .array(fc.oneof({ weight: 3, arbitrary: ordinaryPiece }, { weight: 3, arbitrary: fieldSyntax }, hostilePiece), {
    minLength: 1,
    maxLength: 6,
  })
  .map((pieces) => pieces.join(""));

/** A contact's fields as stored: mostly ordinary, sometimes empty, sometimes hostile. */
const contactValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom("", "Grace Hopper", "Zoë Ünal", "O'Brien, Pat") },
  { weight: 3, arbitrary: headerText(4) },
);

const recipient = fc.record({
  name: contactValue,
  firstName: contactValue,
  company: contactValue,
  title: contactValue,
  senderName: fc.oneof(contactValue, fc.constant(null)),
  fallback: fc.option(headerText(3), { nil: undefined }),
});

it(
  `no merge-field syntax and no contact value adds a header to a merge message (${RUNS.toLocaleString("en")} subjects)`,
  async () => {
    const seen = { refused: 0, skipped: 0, sent: 0 };
    await fc.assert(
      fc.asyncProperty(subjectTemplate, recipient, async (subject, values) => {
        // The template's own field check, as the template and merge forms run it.
        const check = checkTemplateText(subject);
        if (PROPERTY_FIELD.test(subject)) expect(check.ok, subject).toBe(false);
        if (!check.ok) {
          expect(check.error).toMatch(/\S/);
          seen.refused += 1;
          return;
        }

        const merge = {
          subject,
          body: "A short note.",
          fallbacks: values.fallback === undefined ? {} : { first_name: values.fallback, company: values.fallback },
          user: { name: values.senderName },
        };
        const row = {
          email: RECIPIENT,
          contact: {
            id: "c1",
            name: values.name,
            firstName: values.firstName,
            email: RECIPIENT,
            company: values.company,
            title: values.title,
          },
        };
        const message = personalise(merge, row);
        if (!message.ok) {
          expect(message.skipReason).toMatch(/\S/);
          seen.skipped += 1;
          return;
        }

        const { raw, envelope, parsed } = await sendAndParse(
          {
            from: { name: "Ada Lovelace", address: SENDER },
            to: [RECIPIENT],
            cc: [],
            bcc: [],
            subject: message.subject,
            text: message.body,
            messageId: MESSAGE_ID,
            date: new Date("2030-01-02T09:00:00Z"),
            listUnsubscribe: UNSUBSCRIBE_URL,
          },
          { headersOnly: true },
        );
        const root = parsed.parts[0]!;
        const context = () => headerBlock(raw);
        expectEqual(unsafeHeaderLines(parsed), [], context);
        const expected = [
          "content-type",
          "date",
          "from",
          "list-unsubscribe",
          "list-unsubscribe-post",
          "message-id",
          "mime-version",
          "to",
        ];
        if (message.subject) expected.push("subject");
        expectEqual(headerNames(root), expected.sort(), context);
        expectEqual(envelope, { from: SENDER, to: [RECIPIENT] }, context);
        const rawLine = root.headerLines.find((line) => line.key === "subject")?.line;
        expectParsedValue(root.headers.get("subject") ?? "", message.subject, rawLine, context);
        expectEqual(
          root.headerLines.filter((line) => line.key.startsWith("list-")).map((line) => line.line),
          [`List-Unsubscribe: <${UNSUBSCRIBE_URL}>`, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"],
          context,
        );
        seen.sent += 1;
      }),
      { numRuns: RUNS, seed: 19_0019 },
    );
    // No side is vacuous: many templates are refused, many recipients skipped, many messages built.
    for (const outcome of Object.keys(seen) as Array<keyof typeof seen>)
      expect(seen[outcome] / RUNS, `${outcome}: ${JSON.stringify(seen)}`).toBeGreaterThan(0.2);
  },
  PROPERTY_TIMEOUT_MS,
);
