import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeHostile, HOSTILE_INPUTS } from "@/attack/hostile-inputs";
import { TEMPLATE_FIELDS, TEMPLATE_LIMITS, templateSchema } from "./template-rules";
import {
  checkTemplateText,
  KNOWN_FIELDS_TEXT,
  MAX_FALLBACK_LENGTH,
  MERGE_FIELDS,
  mergeValuesOf,
  renderTemplate,
  type MergeField,
  type MergeValues,
} from "./templates";

const KNOWN = `Known fields: ${KNOWN_FIELDS_TEXT}.`;
const errorOf = (text: string) => {
  const checked = checkTemplateText(text);
  return checked.ok ? null : checked.error;
};

describe("checkTemplateText", () => {
  it("lists the fields used in order of first use, each once, with the first inline fallback seen", () => {
    expect(checkTemplateText("Hi {{first_name}}, from {{ my_first_name }} at {{company|your team}}.")).toEqual({
      ok: true,
      uses: [{ field: "first_name" }, { field: "my_first_name" }, { field: "company", fallback: "your team" }],
    });
    expect(checkTemplateText("{{first_name}} {{ first_name | there }} {{first_name|friend}}")).toEqual({
      ok: true,
      uses: [{ field: "first_name", fallback: "there" }],
    });
    expect(checkTemplateText("No fields at all.")).toEqual({ ok: true, uses: [] });
    expect(checkTemplateText("")).toEqual({ ok: true, uses: [] });
  });

  it("knows exactly the listed fields, and says which they are", () => {
    for (const field of MERGE_FIELDS)
      expect(checkTemplateText(`{{${field}}}`)).toEqual({ ok: true, uses: [{ field }] });
    expect(KNOWN_FIELDS_TEXT).toBe(
      "{{first_name}}, {{last_name}}, {{name}}, {{company}}, {{title}}, {{email}}, {{my_first_name}}",
    );
  });

  it("allows spaces and tabs around a field's name and its fallback, and trims them", () => {
    expect(checkTemplateText("{{   first_name   |   dear friend   }}")).toEqual({
      ok: true,
      uses: [{ field: "first_name", fallback: "dear friend" }],
    });
    expect(checkTemplateText("{{\tname\t}}")).toEqual({ ok: true, uses: [{ field: "name" }] });
  });

  it("refuses an unknown field, naming it and listing the known ones", () => {
    expect(errorOf("Hi {{frist_name}},")).toBe(`Unknown field {{frist_name}}. ${KNOWN}`);
    expect(errorOf("Hi {{ First_Name }},")).toBe(
      `Unknown field {{ First_Name }} (names are lower-case: {{first_name}}). ${KNOWN}`,
    );
    expect(errorOf("{{first name}}")).toBe(`Unknown field {{first name}}. ${KNOWN}`);
  });

  it("takes no property, path or method of anything for a field", () => {
    const names = [
      "constructor",
      "__proto__",
      "prototype",
      "toString",
      "valueOf",
      "hasOwnProperty",
      "__defineGetter__",
      "a.b",
      "first_name.length",
      "first_name.constructor",
      "company[0]",
      "this",
      "7*7",
      "constructor.constructor('return process')().exit()",
      "length",
      "0",
    ];
    for (const name of names) {
      const error = errorOf(`Hi {{${name}}}`);
      expect(error, name).toMatch(/^Unknown field \{\{/);
      expect(error, name).toContain(KNOWN);
    }
    expect(() => renderTemplate("{{constructor}}", {})).toThrow(/Unknown field \{\{constructor\}\}/);
  });

  it("refuses broken braces, each with its own words and the known fields", () => {
    const cases: Array<[string, string]> = [
      ["Hi {{first_name", "“{{first_name” has no closing }}"],
      ["Hi {{", "“{{” has no closing }}"],
      ["Hi }} there", "A stray }} in “Hi }}”"],
      ["{{first_name}} and }}", "A stray }} in “ and }}”"],
      ["{{}}", "Empty field {{}}"],
      ["{{   }}", "Empty field {{ }}"],
      ["{{ | there }}", "Empty field {{ | there }}"],
      ["{{first_{name}}", "Nested braces in “{{first_{”"],
      ["{{first_name {{name}}", "Nested braces in “{{first_name {”"],
      ["{{{first_name}}}", "Three braces in “{{{first_name}}}”"],
      ["{{first_name}}}", "Three braces in “{{first_name}}}”"],
      ["{{first_name} there", "A single } in “{{first_name}”"],
      ["{{first_name }x}}", "A single } in “{{first_name }”"],
    ];
    for (const [text, problem] of cases) {
      const error = errorOf(text);
      expect(error, text).toContain(problem);
      expect(error, text).toMatch(new RegExp(`${KNOWN.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    }
  });

  it("takes a single { or } as ordinary text", () => {
    for (const text of ["a { b } c", "{x}", "function () { return 1; }", "}{", "{ {first_name} }", "{}"])
      expect(checkTemplateText(text), text).toEqual({ ok: true, uses: [] });
    expect(renderTemplate("{ {{first_name}} }", { first_name: "Ada" }).text).toBe("{ Ada }");
  });

  it("holds a fallback to one line of plain text of at most 100 characters", () => {
    const longest = "x".repeat(MAX_FALLBACK_LENGTH);
    expect(checkTemplateText(`{{first_name | ${longest}}}`)).toEqual({
      ok: true,
      uses: [{ field: "first_name", fallback: longest }],
    });
    expect(errorOf(`{{first_name | ${longest}y}}`)).toContain("is too long: keep it to 100 characters or fewer.");
    expect(errorOf("{{first_name | a | b}}")).toContain("Two | in {{first_name | a | b}}");
    expect(errorOf("{{first_name | }}")).toContain("Empty fallback in {{first_name | }}");
    for (const bad of ["\n", "\r\n", "\t", "\u0000", "\u2028", "\u0085"]) {
      expect(errorOf(`{{first_name | a${bad}b}}`), JSON.stringify(bad)).toContain(
        "Line break or control character inside",
      );
    }
    expect(errorOf("{{\nfirst_name}}")).toContain("Line break or control character inside {{ first_name}}");
  });

  it("quotes long or unprintable text shortened, on one line", () => {
    const error = errorOf(`{{${"x".repeat(500)}}}`)!;
    expect(error).toMatch(/^Unknown field \{\{x{39}…\}\}\. Known fields/);
    const stray = errorOf(`${"y".repeat(500)}}}`)!;
    expect(stray).toContain(`“…${"y".repeat(37)}}}”`);
    expect(errorOf("{{a\u202eb\ud800}}")).toBe(`Unknown field {{a\ufffdb\ufffd}}. ${KNOWN}`);
    expect(errorOf("{{first_name | a\nb}}")).not.toMatch(/[\n\r]/);
  });

  it("never throws, whatever the text (fast-check)", () => {
    const piece = fc.oneof(
      fc.constantFrom("{{", "}}", "{", "}", "|", " ", "\t", "\n", "first_name", "constructor", "__proto__", "\ud800"),
      fc.string({ unit: "binary", maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          fc.array(piece).map((pieces) => pieces.join("")),
        ),
        (text) => {
          const checked = checkTemplateText(text);
          if (checked.ok) expect(() => renderTemplate(text, {})).not.toThrow();
          else {
            expect(checked.error).toContain(KNOWN);
            expect(() => renderTemplate(text, {})).toThrow();
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("renderTemplate", () => {
  it("puts each field's value in place", () => {
    expect(
      renderTemplate("Hi {{first_name}} {{last_name}} of {{company}} ({{title}}, {{email}}) — {{my_first_name}}", {
        first_name: "Ada",
        last_name: "Lovelace",
        company: "Analytical Engines",
        title: "Head of Research",
        email: "ada@example.com",
        my_first_name: "Grace",
      }),
    ).toEqual({
      text: "Hi Ada Lovelace of Analytical Engines (Head of Research, ada@example.com) — Grace",
      missing: [],
    });
  });

  it("uses the inline fallback for an empty value, then the given fallbacks, else leaves it empty and says so", () => {
    const text = "Hi {{first_name | there}}, {{company}} {{title}} {{company}}.";
    expect(renderTemplate(text, { first_name: "  ", company: "" })).toEqual({
      text: "Hi there,   .",
      missing: ["company", "title"],
    });
    expect(renderTemplate(text, {}, { first_name: "friend", company: "your team", title: " " })).toEqual({
      text: "Hi there, your team  your team.",
      missing: ["title"],
    });
    expect(renderTemplate("{{first_name}}", {}, { first_name: "friend" })).toEqual({ text: "friend", missing: [] });
  });

  it("inserts values as they are, once: a value that looks like a field stays text", () => {
    const values: MergeValues = {
      first_name: "{{last_name}}",
      last_name: "{{first_name}} $& $' $` $1 ${x}",
      company: "{{constructor}} }} {{",
    };
    expect(renderTemplate("{{first_name}}|{{last_name}}|{{company}}", values)).toEqual({
      text: "{{last_name}}|{{first_name}} $& $' $` $1 ${x}|{{constructor}} }} {{",
      missing: [],
    });
    expect(renderTemplate("{{first_name}}", {}, { first_name: "{{email}}" }).text).toBe("{{email}}");
  });

  it("reads only the values' own strings: never an inherited property or a non-string from JSON", () => {
    const inherited = Object.create({ first_name: "Mallory" }) as MergeValues;
    expect(renderTemplate("{{first_name}}", inherited)).toEqual({ text: "", missing: ["first_name"] });
    const fromJson = JSON.parse('{"__proto__": {"company": "Evil"}, "first_name": 7, "title": null}') as MergeValues;
    expect(renderTemplate("{{first_name}}{{company}}{{title}}", {}, fromJson)).toEqual({
      text: "",
      missing: ["first_name", "company", "title"],
    });
    expect(({} as Record<string, unknown>).company).toBeUndefined();
  });

  it("throws on text that checkTemplateText refuses", () => {
    expect(() => renderTemplate("Hi {{frist_name}}", {})).toThrow(/Unknown field \{\{frist_name\}\}/);
    expect(() => renderTemplate("Hi {{first_name", {})).toThrow(Error);
  });

  it("never throws on a valid template and never expands text that came from a value (fast-check)", () => {
    const field = fc.constantFrom(...MERGE_FIELDS);
    // Plain text: anything without a brace (a lone brace is covered above).
    const plain = fc.string({ unit: "binary", maxLength: 20 }).map((text) => text.replace(/[{}]/g, ""));
    const fallback = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: MAX_FALLBACK_LENGTH })
      .map((text) => text.replace(/[{}|\p{Cc}\u2028\u2029]/gu, "").trim())
      .filter((text) => text !== "" && Array.from(text).length <= MAX_FALLBACK_LENGTH);
    const use = fc.record({ field, fallback: fc.option(fallback, { nil: undefined }), pad: fc.constantFrom("", " ") });
    // Values as an attacker would write them into a contact: fields, braces, replacement patterns.
    const valueText = fc.oneof(
      fc.constantFrom("", " ", "{{first_name}}", "{{ email | x }}", "}}{{", "$&", "{{constructor}}", "{{{"),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc
        .array(fc.constantFrom("{{", "}}", "first_name", "|", " ", "x"), { maxLength: 6 })
        .map((parts) => parts.join("")),
    );
    const values = fc.dictionary(field, valueText) as fc.Arbitrary<MergeValues>;
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, use)), plain, values, values, (parts, tail, given, fallbacks) => {
        let text = "";
        let expected = "";
        const missing = new Set<MergeField>();
        for (const [before, { field, fallback, pad }] of parts) {
          text += `${before}{{${pad}${field}${pad}${fallback === undefined ? "" : ` | ${fallback}`}}}`;
          const own = (map: MergeValues) => (Object.hasOwn(map, field) && map[field]!.trim() ? map[field] : undefined);
          const value = own(given) ?? fallback ?? own(fallbacks);
          if (value === undefined) missing.add(field);
          expected = `${expected}${before}${value ?? ""}`;
        }
        text += tail;
        expected += tail;
        expect(checkTemplateText(text).ok).toBe(true);
        expect(renderTemplate(text, given, fallbacks)).toEqual({ text: expected, missing: [...missing] });
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("mergeValuesOf", () => {
  const contact = {
    name: "Ada King Lovelace",
    email: "ada@example.com",
    company: "Analytical Engines",
    title: "Head of Research",
  };

  it("reads a contact's fields and the sender's first name", () => {
    expect(mergeValuesOf({ ...contact, firstName: null }, { name: "Grace Brewster Hopper" })).toEqual({
      first_name: "Ada",
      last_name: "King Lovelace",
      name: "Ada King Lovelace",
      company: "Analytical Engines",
      title: "Head of Research",
      email: "ada@example.com",
      my_first_name: "Grace",
    });
  });

  it("prefers a first name set on the contact, and leaves what is unknown empty", () => {
    expect(mergeValuesOf({ ...contact, firstName: "Augusta" }, {}).first_name).toBe("Augusta");
    const bare = mergeValuesOf(
      { name: "ada@example.com", email: "ada@example.com", company: "", title: "" },
      {
        name: null,
      },
    );
    expect(bare).toMatchObject({ first_name: "", last_name: "", company: "", my_first_name: "" });
    expect(renderTemplate("Hi {{first_name | there}}, {{my_first_name}}", bare)).toEqual({
      text: "Hi there, ",
      missing: ["my_first_name"],
    });
  });
});

const errorsOf = (input: Record<string, string>) => {
  const parsed = templateSchema.safeParse(input);
  return parsed.success ? {} : z.flattenError(parsed.error).fieldErrors;
};
const VALID = { name: "Intro", subject: "Hello {{first_name | there}}", body: "Hi {{first_name | there}},\n\nAda" };

describe("templateSchema", () => {
  it("trims the name and subject and keeps the body's text, with line breaks as LF", () => {
    expect(templateSchema.parse({ name: "  Intro ", subject: " Hi {{name}} ", body: "  Hi\r\nthere\r\n" })).toEqual({
      name: "Intro",
      subject: "Hi {{name}}",
      body: "  Hi\nthere\n",
    });
    expect(templateSchema.parse({ name: "Intro", body: "Hi" }).subject).toBe("");
  });

  it("puts a merge-field error at its field, naming the field and the known fields", () => {
    expect(errorsOf({ ...VALID, subject: "Hello {{frist_name}}" })).toEqual({
      subject: [`Subject: unknown field {{frist_name}}. ${KNOWN}`],
    });
    expect(errorsOf({ ...VALID, body: "Hi {{first_name" })).toEqual({
      body: [`Body: “{{first_name” has no closing }}: end the field with }}, like {{first_name}}. ${KNOWN}`],
    });
    // A name is a label: braces in it are text.
    expect(errorsOf({ ...VALID, name: "{{Intro}}" })).toEqual({});
  });

  it("requires a name and a body, one message each", () => {
    expect(errorsOf({ name: " ", subject: "", body: " \n " })).toEqual({
      name: ["Name is required: call it something you will recognise, like Intro after a call."],
      body: ["Body is required: write the message this template starts from."],
    });
    expect(templateSchema.safeParse({}).error?.issues.map((issue) => issue.path[0])).toEqual(["name", "body"]);
  });

  it("keeps to the limits and one-line rules, with compose's subject rules", () => {
    expect(errorsOf({ ...VALID, name: "n".repeat(TEMPLATE_LIMITS.name + 1) }).name).toEqual([
      "Name is too long: keep it to 100 characters or fewer.",
    ]);
    expect(errorsOf({ ...VALID, name: "Intro\nBcc: x" }).name).toEqual([
      "Name cannot contain line breaks or control characters; keep it on one line.",
    ]);
    expect(errorsOf({ ...VALID, subject: "s".repeat(TEMPLATE_LIMITS.subject + 1) }).subject).toHaveLength(1);
    expect(errorsOf({ ...VALID, subject: "Hi\r\nBcc: victim@example.com" }).subject).toEqual([
      "Subject cannot contain line breaks or control characters; keep it on one line.",
    ]);
    expect(errorsOf({ ...VALID, subject: "=?utf-8?B?SGk=?=" }).subject).toEqual([
      'Subject cannot contain "=?…?=" encoded words; type the text itself.',
    ]);
    expect(errorsOf({ ...VALID, body: "b".repeat(TEMPLATE_LIMITS.body + 1) }).body).toEqual([
      "Body is too long: keep it to 100,000 characters or fewer.",
    ]);
    expect(errorsOf({ ...VALID, body: "Hi\u0000" }).body).toHaveLength(1);
    expect(errorsOf({ ...VALID, body: "Hi\tthere\n" })).toEqual({});
    expect(errorsOf({ ...VALID, body: "Hi \ud83d" }).body).toEqual([
      "Body contains a broken character (half of an emoji); retype it.",
    ]);
  });

  it("refuses every hostile value at its field with a message naming it, or keeps it as typed", () => {
    const labels = { name: "Name", subject: "Subject", body: "Body" } as const;
    const problems: string[] = [];
    for (const field of TEMPLATE_FIELDS) {
      for (const { value } of HOSTILE_INPUTS) {
        const parsed = templateSchema.safeParse({ ...VALID, [field]: value });
        if (parsed.success) {
          const kept = field === "body" ? value.replace(/\r\n?/g, "\n") : value.trim();
          if (parsed.data[field] !== kept) problems.push(`${field} ${describeHostile(value)}: changed`);
          continue;
        }
        for (const issue of parsed.error.issues) {
          if (issue.path[0] !== field)
            problems.push(`${field} ${describeHostile(value)}: error at ${String(issue.path[0])}`);
          if (!issue.message.startsWith(labels[field]))
            problems.push(`${field} ${describeHostile(value)}: ${issue.message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
