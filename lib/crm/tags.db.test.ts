import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import {
  contactFilterWhere,
  contactSchema,
  createContact,
  listContacts,
  searchTextOf,
  type ContactInput,
} from "./contacts";
import {
  addTagToContacts,
  listTags,
  MAX_TAGGED_AT_ONCE,
  removeTagFromContacts,
  setContactTags,
  type TagTarget,
} from "./tags";
import { UserError } from "../platform/errors";
import { describeHostile, HOSTILE_INPUTS } from "@/attack/hostile-inputs";
import { contactFormSchema } from "./contact-form";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const add = async (owner: string, input: ContactInput, tags: string[] = []) =>
  (
    await createContact(
      owner,
      { ...contactSchema.parse(input), tags: tags.map((label) => ({ key: label.toLowerCase(), label })) },
      test.deps,
    )
  ).id;
const tagsOf = async (contactId: string) =>
  (await test.db.contactTag.findMany({ where: { contactId }, orderBy: { key: "asc" } })).map(({ label }) => label);
const ids = (contactIds: string[]): TagTarget => ({ contactIds });

describe("adding a tag to many contacts", () => {
  it("tags the user's own contacts only: another user's ids, made-up ids and repeats are ignored", async () => {
    const ada = await add(userId, { name: "Ada", email: "ada@x.test" });
    const grace = await add(userId, { name: "Grace", email: "grace@x.test" }, ["Navy"]);
    const theirs = await add(otherUserId, { name: "Theirs", email: "theirs@x.test" });

    const result = await addTagToContacts(
      userId,
      ids([ada, grace, ada, theirs, "not an id!", "x".repeat(65)]),
      " VIP ",
      test.deps,
    );
    expect(result).toEqual({ key: "vip", label: "VIP", matched: 2, added: 2, already: 0, full: 0 });
    expect(await tagsOf(ada)).toEqual(["VIP"]);
    expect(await tagsOf(grace)).toEqual(["Navy", "VIP"]);
    expect(await tagsOf(theirs)).toEqual([]);
    expect(await test.db.contactTag.count({ where: { userId: otherUserId } })).toBe(0);
    expect(await test.db.contactTag.count({ where: { userId, key: "vip" } })).toBe(2);

    // Only another user's ids: nothing matched, nothing written.
    expect(await addTagToContacts(userId, ids([theirs]), "vip", test.deps)).toMatchObject({ matched: 0, added: 0 });
    expect(await tagsOf(theirs)).toEqual([]);
  });

  it("keeps the label a contact has, and leaves out a contact that has 20 tags", async () => {
    const tagged = await add(userId, { email: "tagged@x.test" }, ["vip"]);
    const full = await add(
      userId,
      { email: "full@x.test" },
      Array.from({ length: 20 }, (_, i) => `t${i}`),
    );
    const plain = await add(userId, { email: "plain@x.test" });
    expect(await addTagToContacts(userId, ids([tagged, full, plain]), "VIP", test.deps)).toMatchObject({
      matched: 3,
      added: 1,
      already: 1,
      full: 1,
    });
    expect(await tagsOf(tagged)).toEqual(["vip"]);
    expect(await tagsOf(plain)).toEqual(["VIP"]);
    expect(await tagsOf(full)).not.toContain("VIP");
  });

  it("tags every contact matching a search and a tag, and no other", async () => {
    const adaVip = await add(userId, { name: "Ada Lovelace", email: "ada@x.test" }, ["vip"]);
    const adaOther = await add(userId, { name: "Ada Byron", email: "byron@x.test" });
    const graceVip = await add(userId, { name: "Grace Hopper", email: "grace@x.test" }, ["VIP"]);
    const theirs = await add(otherUserId, { name: "Ada Theirs", email: "ada@x.test" }, ["vip"]);

    const result = await addTagToContacts(userId, { filter: { query: "ada", tag: "VIP" } }, "2025 lead", test.deps);
    expect(result).toMatchObject({ matched: 1, added: 1 });
    expect(await tagsOf(adaVip)).toEqual(["2025 lead", "vip"]);
    expect(await tagsOf(adaOther)).toEqual([]);
    expect(await tagsOf(graceVip)).toEqual(["VIP"]);
    expect(await tagsOf(theirs)).toEqual(["vip"]);
  });

  it("refuses a label that breaks a rule at the label field, changing nothing", async () => {
    const ada = await add(userId, { email: "ada@x.test" });
    for (const label of ["", "a, b", "x".repeat(41), "line\nbreak"]) {
      const refusal = addTagToContacts(userId, ids([ada]), label, test.deps);
      await expect(refusal).rejects.toBeInstanceOf(UserError);
      await expect(refusal).rejects.toMatchObject({ field: "label" });
    }
    expect(await tagsOf(ada)).toEqual([]);
  });

  it(`refuses more than ${MAX_TAGGED_AT_ONCE.toLocaleString("en")} ids at once`, async () => {
    const many = Array.from({ length: MAX_TAGGED_AT_ONCE + 1 }, (_, i) => `id${i}`);
    await expect(addTagToContacts(userId, ids(many), "vip", test.deps)).rejects.toThrow(/at most 10,000 at a time/);
  });
});

describe("removing a tag from many contacts", () => {
  it("removes it from the user's chosen contacts only, whatever the case of the key", async () => {
    const ada = await add(userId, { email: "ada@x.test" }, ["VIP", "maths"]);
    const grace = await add(userId, { email: "grace@x.test" }, ["vip"]);
    const theirs = await add(otherUserId, { email: "theirs@x.test" }, ["vip"]);
    expect(await removeTagFromContacts(userId, ids([ada, theirs]), "VIP", test.deps)).toEqual({
      key: "vip",
      label: expect.stringMatching(/^vip$/i),
      removed: 1,
    });
    expect(await tagsOf(ada)).toEqual(["maths"]);
    expect(await tagsOf(grace)).toEqual(["vip"]);
    expect(await tagsOf(theirs)).toEqual(["vip"]);
  });

  it("removes it from every contact matching a search, and refuses an empty key", async () => {
    const ada = await add(userId, { name: "Ada", email: "ada@x.test" }, ["vip"]);
    const grace = await add(userId, { name: "Grace", email: "grace@x.test" }, ["vip"]);
    const theirs = await add(otherUserId, { name: "Ada", email: "ada@x.test" }, ["vip"]);
    expect(await removeTagFromContacts(userId, { filter: { query: "ada" } }, "vip", test.deps)).toMatchObject({
      removed: 1,
    });
    expect(await tagsOf(ada)).toEqual([]);
    expect(await tagsOf(grace)).toEqual(["vip"]);
    expect(await tagsOf(theirs)).toEqual(["vip"]);
    await expect(removeTagFromContacts(userId, ids([grace]), " ", test.deps)).rejects.toMatchObject({ field: "key" });
  });
});

describe("a contact's tags", () => {
  it("setContactTags replaces them, and refuses another user's contact", async () => {
    const ada = await add(userId, { email: "ada@x.test" }, ["old"]);
    const theirs = await add(otherUserId, { email: "theirs@x.test" }, ["theirs"]);
    expect(await setContactTags(userId, ada, ["vip", "VIP", " Customer "], test.deps)).toBe(true);
    expect(await tagsOf(ada)).toEqual(["Customer", "vip"]);
    expect(await setContactTags(userId, theirs, ["hacked"], test.deps)).toBe(false);
    expect(await tagsOf(theirs)).toEqual(["theirs"]);
    await expect(setContactTags(userId, ada, ["a;b"], test.deps)).rejects.toMatchObject({ field: "tags" });
    expect(await tagsOf(ada)).toEqual(["Customer", "vip"]);
  });

  it("listTags counts contacts by key, shows the label most used, and only the user's", async () => {
    await add(userId, { email: "a@x.test" }, ["VIP", "maths"]);
    await add(userId, { email: "b@x.test" }, ["vip"]);
    await add(userId, { email: "c@x.test" }, ["vip"]);
    await add(otherUserId, { email: "d@x.test" }, ["secret"]);
    expect(await listTags(userId, test.deps)).toEqual([
      { key: "maths", label: "maths", count: 1 },
      { key: "vip", label: "vip", count: 3 },
    ]);
    expect(await listTags(otherUserId, test.deps)).toEqual([{ key: "secret", label: "secret", count: 1 }]);
  });
});

describe("the list filtered by a tag", () => {
  it("combines the tag with the search, and pages through the matches", async () => {
    await add(userId, { name: "Ada Lovelace", email: "ada@x.test" }, ["vip"]);
    await add(userId, { name: "Ada Byron", email: "byron@x.test" });
    await add(userId, { name: "Grace Hopper", email: "grace@x.test" }, ["VIP", "navy"]);
    await add(otherUserId, { name: "Ada Theirs", email: "ada@x.test" }, ["vip"]);
    const emails = async (filter: { query?: string; tag?: string }) =>
      (await listContacts(userId, filter, test.deps)).contacts.map(({ email }) => email);
    expect(await emails({ tag: "vip" })).toEqual(["ada@x.test", "grace@x.test"]);
    expect(await emails({ tag: " VIP " })).toEqual(["ada@x.test", "grace@x.test"]);
    expect(await emails({ tag: "vip", query: "ada" })).toEqual(["ada@x.test"]);
    expect(await emails({ tag: "navy", query: "ada" })).toEqual([]);
    expect(await listContacts(userId, { tag: "vip", query: "ada" }, test.deps)).toMatchObject({
      total: 1,
      tag: "vip",
      contacts: [{ name: "Ada Lovelace", tags: [{ key: "vip", label: "vip" }] }],
    });
    // Text no tag can have matches nothing, never everyone: a merge's "all matching" reads the same clause.
    expect(await test.db.contact.count({ where: contactFilterWhere(userId, { tag: "\ud83d" }) })).toBe(0);
    expect(await test.db.contact.count({ where: contactFilterWhere(userId, { tag: "vip\u0000" }) })).toBe(0);
  });
});

describe("5,000 contacts at once", () => {
  it("adds a tag to all matching and removes it again, in one transaction each", async () => {
    const data = Array.from({ length: 5_000 }, (_, i) => {
      const values = contactSchema.parse({ name: `Person ${i}`, email: `p${i}@bulk.test` });
      return { userId, ...values, searchText: searchTextOf(values) };
    });
    await test.db.contact.createMany({ data });
    const some = (await test.db.contact.findMany({ where: { userId }, take: 100, select: { id: true } })).map(
      ({ id }) => id,
    );
    await addTagToContacts(userId, ids(some), "early", test.deps);

    const started = Date.now();
    expect(await addTagToContacts(userId, { filter: { query: "bulk" } }, "Bulk", test.deps)).toMatchObject({
      matched: 5_000,
      added: 5_000,
    });
    expect(await addTagToContacts(userId, { filter: { query: "bulk" } }, "early", test.deps)).toMatchObject({
      added: 4_900,
      already: 100,
    });
    expect(await listTags(userId, test.deps)).toEqual([
      { key: "bulk", label: "Bulk", count: 5_000 },
      { key: "early", label: "early", count: 5_000 },
    ]);
    expect((await listContacts(userId, { tag: "bulk", query: "person 4999" }, test.deps)).total).toBe(1);
    expect(await removeTagFromContacts(userId, { filter: { tag: "bulk" } }, "bulk", test.deps)).toMatchObject({
      removed: 5_000,
    });
    expect(await removeTagFromContacts(userId, ids(some), "early", test.deps)).toMatchObject({ removed: 100 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await listTags(userId, test.deps)).toEqual([{ key: "early", label: "early", count: 4_900 }]);
  });
});

describe("every hostile value", () => {
  it("as a tag, a tag list or a tag filter is refused with a reason or saved exactly, and never throws", async () => {
    const contact = await add(userId, { email: "probe@x.test" });
    const problems: string[] = [];
    for (const { value } of HOSTILE_INPUTS) {
      const shown = describeHostile(value);
      try {
        const result = await addTagToContacts(userId, ids([contact]), value, test.deps);
        const saved = await test.db.contactTag.findUnique({
          where: { contactId_key: { contactId: contact, key: result.key } },
        });
        if (saved?.label !== value.trim()) problems.push(`${shown}: added, but reads back differently`);
        await removeTagFromContacts(userId, ids([contact]), result.key, test.deps);
      } catch (error) {
        if (!(error instanceof UserError) || !/\btags?\b/i.test(error.message))
          problems.push(`${shown}: ${String(error)}`);
      }
      const parsed = contactFormSchema.safeParse({ email: "probe@x.test", tags: value });
      if (
        !parsed.success &&
        !parsed.error.issues.every(({ message, path }) => path[0] === "tags" && /\btags?\b/i.test(message))
      )
        problems.push(`${shown}: refused in the form without naming Tags`);
      try {
        await listContacts(userId, { tag: value, query: value }, test.deps);
      } catch (error) {
        problems.push(`${shown}: the list filter threw ${String(error)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
