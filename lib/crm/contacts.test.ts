import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CONTACT_LIMITS, contactSchema, parsePage, searchWords } from "./contacts";

const errorsOf = (input: Record<string, string>) => {
  const parsed = contactSchema.safeParse(input);
  return parsed.success ? {} : z.flattenError(parsed.error).fieldErrors;
};

describe("contactSchema", () => {
  it("trims every field, stores the email lower-case, and leaves optional fields empty", () => {
    expect(contactSchema.parse({ name: "  Ada Lovelace ", email: " Ada@Example.COM " })).toEqual({
      name: "Ada Lovelace",
      email: "ada@example.com",
      company: "",
      title: "",
      phone: "",
      notes: "",
      timeZone: "",
    });
  });

  it("requires an email and names the field and the fix", () => {
    expect(errorsOf({ name: "Ada", email: "" })).toEqual({
      email: ["Email is required: enter an address like name@example.com."],
    });
    expect(contactSchema.safeParse({}).error?.issues.map((issue) => issue.message)).toEqual([
      "Email is required: enter an address like name@example.com.",
    ]);
    expect(errorsOf({ email: "ada@" }).email).toEqual([
      "Email is not a valid address: write it like name@example.com.",
    ]);
    expect(errorsOf({ email: "Ada Lovelace <ada@example.com>" }).email).toHaveLength(1);
  });

  it("refuses line breaks and control characters in one-line fields, and says so", () => {
    expect(errorsOf({ email: "ada@example.com", name: "Ada\r\nBcc: victim@x.test" }).name).toEqual([
      "Name cannot contain line breaks or control characters; keep it on one line.",
    ]);
    expect(errorsOf({ email: "ada@example.com", company: "Acme\u0000" }).company).toHaveLength(1);
    expect(errorsOf({ email: "ada@example.com", title: "C\u2028TO" }).title).toHaveLength(1);
    expect(errorsOf({ email: "ada\n@example.com" }).email).toHaveLength(1);
  });

  it("keeps line breaks and tabs in notes, as LF, but refuses other control characters", () => {
    expect(contactSchema.parse({ email: "a@x.test", notes: "one\r\ntwo\r\tthree" }).notes).toBe("one\ntwo\n\tthree");
    expect(errorsOf({ email: "a@x.test", notes: "bell\u0007" }).notes).toEqual([
      "Notes cannot contain control characters (line breaks and tabs are fine); remove them.",
    ]);
  });

  it("limits each field's length, naming the limit", () => {
    expect(errorsOf({ email: "a@x.test", name: "x".repeat(CONTACT_LIMITS.name + 1) }).name).toEqual([
      "Name is too long: keep it to 200 characters or fewer.",
    ]);
    expect(errorsOf({ email: "a@x.test", notes: "x".repeat(CONTACT_LIMITS.notes + 1) }).notes).toEqual([
      "Notes are too long: keep them to 5,000 characters or fewer.",
    ]);
    expect(errorsOf({ email: `${"a".repeat(250)}@x.test` }).email).toHaveLength(1);
    expect(errorsOf({ email: "a@x.test", name: "x".repeat(CONTACT_LIMITS.name) })).toEqual({});
  });

  it("keeps formula-looking text as text", () => {
    const values = contactSchema.parse({ email: "a@x.test", name: '=HYPERLINK("http://evil.test","x")' });
    expect(values.name).toBe('=HYPERLINK("http://evil.test","x")');
  });

  it("wants a digit in a phone number", () => {
    expect(errorsOf({ email: "a@x.test", phone: "ask reception" }).phone).toHaveLength(1);
    expect(errorsOf({ email: "a@x.test", phone: "+44 (20) 7946-0000 ext. 12" })).toEqual({});
    expect(errorsOf({ email: "a@x.test", phone: "ab\u0000" }).phone).toEqual([
      "Phone cannot contain line breaks or control characters; keep it on one line.",
    ]);
  });
});

describe("search and paging input", () => {
  it("splits the query into at most five lower-cased words, control characters dropped", () => {
    expect(searchWords("  Ada   LOVELACE ")).toEqual(["ada", "lovelace"]);
    expect(searchWords("a\nb\u0000c")).toEqual(["a", "b", "c"]);
    expect(searchWords("100% pure_data \\x")).toEqual(["100", "pure", "data", "x"]);
    expect(searchWords("1 2 3 4 5 6 7")).toHaveLength(5);
    expect(searchWords("x".repeat(1_000))[0]).toHaveLength(100);
  });

  it("reads a page number, anything else being page 1", () => {
    expect(parsePage("3")).toBe(3);
    expect(parsePage(["2"])).toBe(1);
    expect(parsePage("-1")).toBe(1);
    expect(parsePage("1e9")).toBe(1);
    expect(parsePage(undefined)).toBe(1);
  });
});

// Found by the hostile-input corpus (attack/hostile-forms.db.test.ts): Prisma throws on these.
describe("half of a surrogate pair", () => {
  it("is refused in a text field, naming the field and the fix", () => {
    expect(errorsOf({ email: "ada@example.com", name: "Ada \ud83d" }).name).toEqual([
      "Name contains a broken character (half of an emoji); retype it.",
    ]);
    expect(errorsOf({ email: "ada@example.com", notes: "\udfff" }).notes).toEqual([
      "Notes contain a broken character (half of an emoji); retype them.",
    ]);
    expect(errorsOf({ email: "ada@example.com", name: "Ada 😀" })).toEqual({});
  });

  it("separates search words", () => {
    expect(searchWords("ada\ud800lovelace")).toEqual(["ada", "lovelace"]);
  });
});

describe("a contact's time zone", () => {
  it("is empty when left out or blank: the sender's zone is used then", () => {
    expect(contactSchema.parse({ email: "a@x.test" }).timeZone).toBe("");
    expect(contactSchema.parse({ email: "a@x.test", timeZone: "  \t" }).timeZone).toBe("");
  });

  it("is stored as Intl spells the name, trimmed", () => {
    expect(contactSchema.parse({ email: "a@x.test", timeZone: " europe/paris " }).timeZone).toBe("Europe/Paris");
    expect(contactSchema.parse({ email: "a@x.test", timeZone: "America/New_York" }).timeZone).toBe("America/New_York");
  });

  it("refuses a name Intl does not know, at the field, naming it and the fix", () => {
    const message = "Time zone: use a name like Europe/Paris or America/New_York, or leave it empty to use yours.";
    for (const timeZone of [
      "Europe/Pariss",
      "XST",
      "+01:00",
      "Europe/Paris\nBcc: x@evil.test",
      "\ud800",
      "x".repeat(10_000),
    ])
      expect(errorsOf({ email: "a@x.test", timeZone }), timeZone.slice(0, 20)).toEqual({ timeZone: [message] });
  });
});
