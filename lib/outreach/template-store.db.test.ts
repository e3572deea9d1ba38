import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import { UserError } from "../platform/errors";
import { templateSchema, type TemplateInput } from "./template-rules";
import {
  copyName,
  createTemplate,
  deleteTemplate,
  duplicateTemplate,
  getTemplate,
  listTemplates,
  listTemplateTexts,
  MAX_TEMPLATES,
  templatesForCompose,
  updateTemplate,
} from "./template-store";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const INTRO: TemplateInput = { name: "Intro", subject: "Hello {{first_name | there}}", body: "Hi {{first_name}},\n" };
const add = (owner: string, input: TemplateInput = INTRO) =>
  createTemplate(owner, templateSchema.parse(input), test.deps);
const rowsOf = (owner: string) =>
  test.db.template.findMany({ where: { userId: owner }, orderBy: { id: "asc" }, omit: { userId: true } });

describe("creating, reading, updating and deleting", () => {
  it("creates a template and reads it back", async () => {
    const { id } = await add(userId);
    expect(await getTemplate(userId, id, test.deps)).toMatchObject({ id, ...INTRO });
    expect(await listTemplates(userId, test.deps)).toEqual([
      { id, name: "Intro", subject: INTRO.subject, updatedAt: expect.any(Date) },
    ]);
    expect(await listTemplateTexts(userId, test.deps)).toEqual([
      { id, name: "Intro", subject: INTRO.subject, body: INTRO.body },
    ]);
  });

  it("lists the most recently changed first, and only the user's own", async () => {
    const first = await add(userId, { ...INTRO, name: "First" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await add(userId, { ...INTRO, name: "Second" });
    await add(otherUserId, { ...INTRO, name: "Someone else's" });
    expect((await listTemplates(userId, test.deps)).map((template) => template.id)).toEqual([second.id, first.id]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await updateTemplate(userId, first.id, templateSchema.parse({ ...INTRO, name: "First, edited" }), test.deps);
    expect((await listTemplates(userId, test.deps)).map((template) => template.name)).toEqual([
      "First, edited",
      "Second",
    ]);
    expect(await listTemplates(otherUserId, test.deps)).toHaveLength(1);
  });

  it("updates, and deletes", async () => {
    const { id } = await add(userId);
    const edit = templateSchema.parse({ name: "Follow-up", subject: "", body: "Still keen, {{first_name}}?" });
    expect(await updateTemplate(userId, id, edit, test.deps)).toBe(true);
    expect(await getTemplate(userId, id, test.deps)).toMatchObject({ id, ...edit });
    expect(await deleteTemplate(userId, id, test.deps)).toBe(true);
    expect(await getTemplate(userId, id, test.deps)).toBeNull();
    expect(await deleteTemplate(userId, id, test.deps)).toBe(false);
    expect(await updateTemplate(userId, id, edit, test.deps)).toBe(false);
  });

  it("duplicates as “Copy of …”, kept within the name's limit", async () => {
    const { id } = await add(userId);
    const copy = await duplicateTemplate(userId, id, test.deps);
    expect(copy).toEqual({ id: expect.any(String), name: "Copy of Intro" });
    expect(await getTemplate(userId, copy!.id, test.deps)).toMatchObject({ ...INTRO, name: "Copy of Intro" });
    expect(await listTemplates(userId, test.deps)).toHaveLength(2);

    const long = await add(userId, { ...INTRO, name: "n".repeat(100) });
    const longCopy = await duplicateTemplate(userId, long.id, test.deps);
    expect(longCopy!.name).toBe(`Copy of ${"n".repeat(91)}…`);
    expect(templateSchema.safeParse({ ...INTRO, name: longCopy!.name }).success).toBe(true);
    expect(Array.from(copyName("😀".repeat(100)))).toHaveLength(100);
  });

  it("keeps at most MAX_TEMPLATES per user", async () => {
    await test.db.template.createMany({
      data: Array.from({ length: MAX_TEMPLATES }, (_, n) => ({ userId, name: `T${n}`, subject: "", body: "Hi" })),
    });
    const [one] = await listTemplates(userId, test.deps);
    await expect(add(userId)).rejects.toBeInstanceOf(UserError);
    await expect(duplicateTemplate(userId, one!.id, test.deps)).rejects.toThrow(/delete one you no longer use/);
    await expect(add(otherUserId)).resolves.toHaveProperty("id");
  });
});

describe("another user's templates", () => {
  it("are not found, not updated, not duplicated and not deleted", async () => {
    const { id } = await add(otherUserId);
    const before = await rowsOf(otherUserId);
    expect(await getTemplate(userId, id, test.deps)).toBeNull();
    expect(await listTemplates(userId, test.deps)).toEqual([]);
    expect(await updateTemplate(userId, id, templateSchema.parse({ ...INTRO, name: "Taken" }), test.deps)).toBe(false);
    expect(await duplicateTemplate(userId, id, test.deps)).toBeNull();
    expect(await deleteTemplate(userId, id, test.deps)).toBe(false);
    expect(await rowsOf(otherUserId)).toEqual(before);
    expect(await rowsOf(userId)).toEqual([]);
  });

  it("ids that cannot name a row find nothing without a query error", async () => {
    await add(userId);
    for (const id of ["", "x".repeat(65), "a\u0000b", "\ud800", "../x", "' OR 1=1 --"]) {
      expect(await getTemplate(userId, id, test.deps)).toBeNull();
      expect(await updateTemplate(userId, id, templateSchema.parse(INTRO), test.deps)).toBe(false);
      expect(await duplicateTemplate(userId, id, test.deps)).toBeNull();
      expect(await deleteTemplate(userId, id, test.deps)).toBe(false);
    }
    expect(await listTemplates(userId, test.deps)).toHaveLength(1);
  });
});

describe("templatesForCompose", () => {
  const contact = (owner: string, email: string) =>
    test.db.contact.create({
      data: { userId: owner, name: "Ada Lovelace", email, company: "Analytical Engines", searchText: email },
    });

  it("gives the user's templates, the values of the contact the page was opened for, and the sender's", async () => {
    const { id } = await add(userId);
    await contact(userId, "ada@example.com");
    expect(
      await templatesForCompose(userId, { to: " ADA@example.com ", senderName: "Grace Hopper" }, test.deps),
    ).toEqual({
      templates: [{ id, name: "Intro", subject: INTRO.subject, body: INTRO.body }],
      contact: {
        address: "ada@example.com",
        label: "Ada Lovelace",
        values: {
          first_name: "Ada",
          last_name: "Lovelace",
          name: "Ada Lovelace",
          company: "Analytical Engines",
          title: "",
          email: "ada@example.com",
          my_first_name: "Grace",
        },
      },
      sender: { my_first_name: "Grace" },
    });
    expect(await templatesForCompose(userId, { senderName: null }, test.deps)).toMatchObject({
      contact: null,
      sender: { my_first_name: "" },
    });
  });

  it("never reads another user's contact or templates", async () => {
    await add(otherUserId);
    await contact(otherUserId, "grace@example.com");
    expect(await templatesForCompose(userId, { to: "grace@example.com" }, test.deps)).toEqual({
      templates: [],
      contact: null,
      sender: { my_first_name: "" },
    });
  });
});
