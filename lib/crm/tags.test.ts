import { describe, expect, it } from "vitest";
import { contactFormSchema } from "./contact-form";
import { parseTagList, readTagTarget, tagKeySchema, tagLabelSchema, tagListSchema } from "./tags";

const labels = (text: string) => {
  const parsed = parseTagList(text);
  return "error" in parsed ? parsed.error : parsed.tags.map(({ label }) => label);
};

describe("parseTagList", () => {
  it("splits on commas and semicolons, trims each tag and skips empty ones", () => {
    expect(labels("vip, Customer; 2025 lead")).toEqual(["vip", "Customer", "2025 lead"]);
    expect(labels(" ;, a ,,b; ")).toEqual(["a", "b"]);
    expect(labels("")).toEqual([]);
  });

  it("keys a tag by its label lower-cased, one tag a key, the first label kept", () => {
    expect(parseTagList("VIP, vip; Vip, Ünïcode, ünïcode")).toEqual({
      tags: [
        { key: "vip", label: "VIP" },
        { key: "ünïcode", label: "Ünïcode" },
      ],
    });
  });

  it("keeps each tag to 40 characters, naming the tag and the fix", () => {
    expect(labels("x".repeat(40))).toEqual(["x".repeat(40)]);
    expect(labels(`ok, ${"Long tag ".repeat(5)}`)).toBe(
      "Tag “Long tag Long tag Lo…” is too long: keep each tag to 40 characters or fewer.",
    );
  });

  it("keeps a contact to 20 tags, counting each key once", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `tag ${i}`);
    expect(labels([...twenty, "TAG 0"].join(","))).toHaveLength(20);
    expect(labels([...twenty, "one more"].join(","))).toBe(
      "Tags: a contact has at most 20, and this lists 21; remove 1.",
    );
  });

  it("refuses line breaks inside a tag, control characters and half of an emoji", () => {
    expect(labels("a\nb")).toBe("Tags cannot contain line breaks or control characters; keep each tag on one line.");
    expect(labels("bell\u0007")).toMatch(/^Tags cannot contain/);
    expect(labels("C\u2028TO")).toMatch(/^Tags cannot contain/);
    expect(labels("half \ud83d")).toBe("Tags contain a broken character (half of an emoji); retype the tag.");
    // Around a tag, whitespace (a trailing line break included) is trimmed like any field's.
    expect(labels("vip\n")).toEqual(["vip"]);
  });

  it("refuses a text far longer than any 20 tags", () => {
    expect(labels(",".repeat(5_000))).toMatch(/^Tags are too long/);
  });
});

describe("the schemas the forms use", () => {
  it("reads the contact form's tags and first name with the other fields", () => {
    expect(
      contactFormSchema.parse({ email: "a@x.test", firstName: "  Augusta ", tags: "vip; Customer" }),
    ).toMatchObject({
      firstName: "Augusta",
      tags: [
        { key: "vip", label: "vip" },
        { key: "customer", label: "Customer" },
      ],
    });
    expect(contactFormSchema.parse({ email: "a@x.test" })).toMatchObject({ firstName: "", tags: [] });
    const refused = contactFormSchema.safeParse({ email: "a@x.test", firstName: "A\nB", tags: "x".repeat(41) });
    expect(refused.error?.issues.map(({ path, message }) => [path[0], message])).toEqual([
      ["firstName", "First name cannot contain line breaks or control characters; keep it on one line."],
      ["tags", expect.stringMatching(/^Tag “x+…” is too long/)],
    ]);
    expect(tagListSchema.parse(undefined)).toEqual([]);
  });

  it("takes one tag to add, without separators, and names what to do when empty", () => {
    expect(tagLabelSchema.parse("  VIP ")).toBe("VIP");
    expect(tagLabelSchema.safeParse("  ").error?.issues[0]?.message).toBe(
      "Tag is required: type the tag to add, like vip.",
    );
    expect(tagLabelSchema.safeParse("a, b").error?.issues[0]?.message).toBe(
      "A tag cannot contain a comma or a semicolon (they separate tags): add one tag at a time.",
    );
    expect(tagKeySchema.parse(" VIP ")).toBe("vip");
    expect(tagKeySchema.safeParse("").success).toBe(false);
    expect(tagKeySchema.safeParse("\ud83d").success).toBe(false);
  });

  it("reads a bulk form's target as Email selected sends it", () => {
    const form = new FormData();
    form.append("contactId", "a1");
    form.append("contactId", "b2");
    expect(readTagTarget(form)).toEqual({ contactIds: ["a1", "b2"] });
    form.set("scope", "matching");
    form.set("tag", "vip");
    form.set("q", "ada");
    expect(readTagTarget(form)).toEqual({ filter: { query: "ada", tag: "vip" } });
  });
});
