import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import { messageSeeder } from "@/test-support/seed-message";
import {
  contactIdForRecipients,
  contactSchema,
  CONTACTS_PAGE_SIZE,
  createContact,
  deleteContact,
  getContact,
  listContacts,
  noteContacted,
  updateContact,
  type ContactInput,
} from "./contacts";
import { contactFormSchema } from "./contact-form";
import { importContacts } from "./import";
import { listContactMessages } from "./timeline";
import { UserError } from "../platform/errors";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const add = (owner: string, input: ContactInput) => createContact(owner, contactSchema.parse(input), test.deps);
const everything = (owner: string) =>
  test.db.contact.findMany({ where: { userId: owner }, orderBy: { email: "asc" }, omit: { searchText: true } });
const seedMessage = messageSeeder(test);

describe("creating, reading, updating and deleting", () => {
  it("creates a contact with its email lower-case and reads it back", async () => {
    const { id } = await add(userId, { name: "Ada Lovelace", email: "Ada@Example.com", company: "Analytical Engines" });
    expect(await getContact(userId, id, test.deps)).toMatchObject({
      id,
      name: "Ada Lovelace",
      email: "ada@example.com",
      company: "Analytical Engines",
      lastContactedAt: null,
    });
  });

  it("refuses a second contact with the same address, whatever its case, at the email field", async () => {
    await add(userId, { name: "Ada", email: "ada@example.com" });
    const duplicate = add(userId, { email: "ADA@example.com" });
    await expect(duplicate).rejects.toBeInstanceOf(UserError);
    await expect(duplicate).rejects.toMatchObject({ field: "email", message: expect.stringContaining("(Ada)") });
    // Addresses are unique per owner, not across owners.
    await expect(add(otherUserId, { email: "ada@example.com" })).resolves.toHaveProperty("id");
  });

  it("updates, and refuses to take another contact's address", async () => {
    const { id } = await add(userId, { name: "Ada", email: "ada@example.com" });
    await add(userId, { name: "Grace", email: "grace@example.com" });
    expect(
      await updateContact(userId, id, contactSchema.parse({ name: "Ada L.", email: "ada@new.test" }), test.deps),
    ).toBe(true);
    expect(await getContact(userId, id, test.deps)).toMatchObject({ name: "Ada L.", email: "ada@new.test" });
    await expect(
      updateContact(userId, id, contactSchema.parse({ email: "Grace@example.com" }), test.deps),
    ).rejects.toMatchObject({ field: "email" });
  });

  it("deletes a contact and keeps its messages, unlinked", async () => {
    const { id } = await add(userId, { email: "ada@example.com" });
    const message = await seedMessage(userId, { to: ["someone@else.test"], contactId: id });
    expect(await deleteContact(userId, id, test.deps)).toBe(true);
    expect(await getContact(userId, id, test.deps)).toBeNull();
    expect(await test.db.message.findUniqueOrThrow({ where: { id: message } })).toMatchObject({ contactId: null });
    expect(await deleteContact(userId, id, test.deps)).toBe(false);
  });
});

describe("first name and tags, saved with the contact", () => {
  const form = (input: Record<string, string>) => contactFormSchema.parse(input);
  const tagsOf = async (contactId: string) =>
    (await test.db.contactTag.findMany({ where: { contactId }, orderBy: { key: "asc" } })).map(
      ({ key, label, userId: owner }) => ({ key, label, owner }),
    );

  it("creates a contact with its first name and tags, and reads them back", async () => {
    const { id } = await createContact(
      userId,
      form({ name: "Ada Lovelace", email: "ada@x.test", firstName: "Augusta", tags: "vip, Maths; VIP" }),
      test.deps,
    );
    expect(await getContact(userId, id, test.deps)).toMatchObject({
      firstName: "Augusta",
      tags: [
        { key: "maths", label: "Maths" },
        { key: "vip", label: "vip" },
      ],
    });
    expect(await tagsOf(id)).toEqual([
      { key: "maths", label: "Maths", owner: userId },
      { key: "vip", label: "vip", owner: userId },
    ]);
  });

  it("replaces the tags on an edit, keeps them when an update leaves them out, and never tags another user's contact", async () => {
    const { id } = await createContact(userId, form({ email: "ada@x.test", tags: "old, vip" }), test.deps);
    expect(
      await updateContact(userId, id, form({ email: "ada@x.test", firstName: "Ada", tags: "VIP, new" }), test.deps),
    ).toBe(true);
    expect((await tagsOf(id)).map(({ label }) => label)).toEqual(["new", "VIP"]);
    expect(
      await updateContact(userId, id, contactSchema.parse({ email: "ada@x.test", name: "Ada L" }), test.deps),
    ).toBe(true);
    expect(await getContact(userId, id, test.deps)).toMatchObject({ firstName: "Ada", name: "Ada L" });
    expect((await tagsOf(id)).map(({ label }) => label)).toEqual(["new", "VIP"]);

    const { id: theirs } = await createContact(otherUserId, form({ email: "g@x.test", tags: "theirs" }), test.deps);
    expect(await updateContact(userId, theirs, form({ email: "x@x.test", tags: "hacked" }), test.deps)).toBe(false);
    expect(await tagsOf(theirs)).toEqual([{ key: "theirs", label: "theirs", owner: otherUserId }]);
  });

  it("saves neither the contact nor its tags when the address is taken", async () => {
    await createContact(userId, form({ email: "ada@x.test" }), test.deps);
    await expect(createContact(userId, form({ email: "ADA@x.test", tags: "vip" }), test.deps)).rejects.toMatchObject({
      field: "email",
    });
    expect(await test.db.contactTag.count({ where: { userId } })).toBe(0);
  });
});

describe("a contact's time zone", () => {
  it("is saved as Intl spells it, changed or cleared on an edit, and read back", async () => {
    const { id } = await add(userId, { email: "ada@x.test", timeZone: " europe/paris " });
    expect(await getContact(userId, id, test.deps)).toMatchObject({ timeZone: "Europe/Paris" });
    expect(
      await updateContact(userId, id, contactSchema.parse({ email: "ada@x.test", timeZone: "Asia/Tokyo" }), test.deps),
    ).toBe(true);
    expect(await getContact(userId, id, test.deps)).toMatchObject({ timeZone: "Asia/Tokyo" });
    expect(await updateContact(userId, id, contactSchema.parse({ email: "ada@x.test" }), test.deps)).toBe(true);
    expect(await getContact(userId, id, test.deps)).toMatchObject({ timeZone: "" });
  });

  it("is refused at its field by the form's rules, so nothing is saved", async () => {
    const parsed = contactFormSchema.safeParse({ email: "ada@x.test", timeZone: "Europe/Pariss" });
    expect(parsed.error?.issues.map(({ path, message }) => [path[0], message])).toEqual([
      ["timeZone", "Time zone: use a name like Europe/Paris or America/New_York, or leave it empty to use yours."],
    ]);
    expect(await test.db.contact.count({ where: { userId } })).toBe(0);
  });
});

describe("another user's contact", () => {
  it("is not found, cannot be changed or deleted, and nothing about it changes", async () => {
    const { id } = await add(otherUserId, { name: "Grace Hopper", email: "grace@example.com", notes: "Navy" });
    const before = await everything(otherUserId);

    expect(await getContact(userId, id, test.deps)).toBeNull();
    expect(await updateContact(userId, id, contactSchema.parse({ name: "Hacked", email: "x@y.test" }), test.deps)).toBe(
      false,
    );
    expect(await deleteContact(userId, id, test.deps)).toBe(false);
    expect((await listContacts(userId, { query: "grace" }, test.deps)).total).toBe(0);
    expect(await listContactMessages(userId, { id, email: "grace@example.com" }, test.deps)).toEqual([]);
    expect(await noteContacted(userId, ["grace@example.com"], new Date(), test.deps)).toBe(0);
    expect(await contactIdForRecipients(userId, ["grace@example.com"], test.deps)).toBeNull();

    // An import by this user with the same address makes this user's own contact.
    await importContacts(userId, "email,name\ngrace@example.com,Mine", {}, test.deps);
    expect(await everything(otherUserId)).toEqual(before);
    expect(await everything(userId)).toMatchObject([{ email: "grace@example.com", name: "Mine" }]);
  });
});

describe("listContacts", () => {
  beforeEach(async () => {
    await add(userId, { name: "ada lovelace", email: "ada@engines.test", company: "Analytical Engines" });
    await add(userId, { name: "Grace Hopper", email: "grace@navy.test", company: "US Navy" });
    await add(userId, { name: "Alan Turing", email: "alan@bletchley.test", company: "GC&CS" });
    await add(userId, { email: "nameless@x.test", company: "100% Pure_Data" });
    await add(otherUserId, { name: "Ada Other", email: "ada@other.test" });
  });

  it("lists the user's contacts by name, ignoring case (an unnamed one by its email)", async () => {
    const page = await listContacts(userId, {}, test.deps);
    expect(page).toMatchObject({ total: 4, page: 1, pageCount: 1 });
    expect(page.contacts.map((contact) => contact.email)).toEqual([
      "ada@engines.test",
      "alan@bletchley.test",
      "grace@navy.test",
      "nameless@x.test",
    ]);
  });

  it("searches name, email and company, ignoring case, every word required", async () => {
    const emails = async (query: string) =>
      (await listContacts(userId, { query }, test.deps)).contacts.map((contact) => contact.email);
    expect(await emails("ADA")).toEqual(["ada@engines.test"]);
    expect(await emails("navy")).toEqual(["grace@navy.test"]);
    expect(await emails("BLETCHLEY")).toEqual(["alan@bletchley.test"]);
    expect(await emails("lovelace engines")).toEqual(["ada@engines.test"]);
    expect(await emails("lovelace navy")).toEqual([]);
    expect(await emails("a")).toHaveLength(4);
  });

  it("reads % _ and \\ in a search as spaces, the same on both databases", async () => {
    const emails = async (query: string) =>
      (await listContacts(userId, { query }, test.deps)).contacts.map((contact) => contact.email);
    expect(await emails("100%")).toEqual(["nameless@x.test"]);
    expect(await emails("pure_data")).toEqual(["nameless@x.test"]);
    // On PostgreSQL a trailing \ would escape LIKE's closing % and find nothing.
    expect(await emails("ada\\")).toEqual(["ada@engines.test"]);
    expect(await emails("engines\\%")).toEqual(["ada@engines.test"]);
  });

  it("pages by 25 with the total, keeping a page past the end on the last page", async () => {
    await test.db.contact.createMany({
      data: Array.from({ length: 56 }, (_, i) => {
        const email = `bulk${String(i).padStart(2, "0")}@bulk.test`;
        return { userId, email, name: `Bulk ${String(i).padStart(2, "0")}`, searchText: `bulk ${i}\n${email}\n` };
      }),
    });
    const first = await listContacts(userId, { query: "bulk", page: 1 }, test.deps);
    expect(first).toMatchObject({ total: 56, page: 1, pageCount: 3 });
    expect(first.contacts).toHaveLength(CONTACTS_PAGE_SIZE);
    const last = await listContacts(userId, { query: "bulk", page: 99 }, test.deps);
    expect(last).toMatchObject({ page: 3 });
    expect(last.contacts).toHaveLength(6);
    const pages = await Promise.all([1, 2, 3].map((page) => listContacts(userId, { query: "bulk", page }, test.deps)));
    const seen = pages.flatMap((page) => page.contacts.map((contact) => contact.id));
    expect(new Set(seen).size).toBe(56);
  });
});

describe("noteContacted and contactIdForRecipients", () => {
  it("marks the user's contacts among the recipients as contacted, never moving the date back", async () => {
    const { id } = await add(userId, { email: "ada@example.com" });
    const later = new Date("2026-03-01T10:00:00Z");
    expect(await noteContacted(userId, ["Ada@Example.com", "stranger@x.test"], later, test.deps)).toBe(1);
    expect(await noteContacted(userId, ["ada@example.com"], new Date("2026-02-01T10:00:00Z"), test.deps)).toBe(0);
    expect((await getContact(userId, id, test.deps))?.lastContactedAt).toEqual(later);
  });

  it("finds the contact of the first To address that is one", async () => {
    const { id } = await add(userId, { email: "grace@example.com" });
    expect(await contactIdForRecipients(userId, ["nobody@x.test", "Grace@example.com"], test.deps)).toBe(id);
    expect(await contactIdForRecipients(userId, ["nobody@x.test"], test.deps)).toBeNull();
  });

  it("reads recipients stored with a display name by their address", async () => {
    const { id } = await add(userId, { email: "bob@example.com" });
    expect(await contactIdForRecipients(userId, ['"Smith, Bob" <Bob@Example.com>'], test.deps)).toBe(id);
    const at = new Date("2026-04-01T10:00:00Z");
    expect(await noteContacted(userId, ["Bob Smith <bob@example.com>"], at, test.deps)).toBe(1);
    expect((await getContact(userId, id, test.deps))?.lastContactedAt).toEqual(at);
  });
});

// Found by the hostile-input corpus (attack/hostile-forms.db.test.ts).
describe("what a hostile request names", () => {
  it("finds no contact by an id no row could have, rather than failing (NUL on PostgreSQL, half a surrogate pair)", async () => {
    const { id } = await add(userId, { email: "ada@example.com" });
    for (const bad of ["\u0000", "\ud800", `${id}\u0000`, "../x", ""]) {
      expect(await getContact(userId, bad, test.deps)).toBeNull();
      expect(await updateContact(userId, bad, contactSchema.parse({ email: "x@example.com" }), test.deps)).toBe(false);
      expect(await deleteContact(userId, bad, test.deps)).toBe(false);
    }
    expect(await getContact(userId, id, test.deps)).toMatchObject({ email: "ada@example.com" });
  });
});
