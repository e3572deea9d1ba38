import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "./contact-fields";
import {
  contactIdForRecipients,
  contactSchema,
  CONTACTS_PAGE_SIZE,
  createContact,
  deleteContact,
  getContact,
  importContacts,
  listContactMessages,
  listContacts,
  noteContacted,
  planContactImport,
  TIMELINE_LIMIT,
  updateContact,
  type ContactInput,
} from "./contacts";
import { UserError } from "../platform/errors";
import { composeSchema, enqueueMessage, recipientRows } from "../mail/messages";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => {
  const user = (label: string) =>
    test.db.user.create({ data: { email: `${label}-${randomBytes(4).toString("hex")}@evergreen.test` } });
  userId = (await user("ada")).id;
  otherUserId = (await user("grace")).id;
});

const add = (owner: string, input: ContactInput) => createContact(owner, contactSchema.parse(input), test.deps);
const everything = (owner: string) =>
  test.db.contact.findMany({ where: { userId: owner }, orderBy: { email: "asc" }, omit: { searchText: true } });

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

async function seedMessage(
  owner: string,
  {
    to,
    cc = [],
    bcc = [],
    status = "SENT",
    contactId = null,
    subject = "Hello",
    gmailThreadId = "18c2f0a1b2c3d4e5",
  }: {
    to: string[];
    cc?: string[];
    bcc?: string[];
    status?: "SENT" | "QUEUED" | "DRAFT" | "CANCELLED" | "FAILED" | "UNKNOWN";
    contactId?: string | null;
    subject?: string;
    gmailThreadId?: string | null;
  },
) {
  const id = randomBytes(8).toString("hex");
  const createdAt = new Date();
  await test.db.message.create({
    data: {
      id,
      userId: owner,
      contactId,
      to,
      cc,
      bcc,
      createdAt,
      recipients: { create: recipientRows(owner, createdAt, to, cc, bcc) },
      subject,
      text: "Hi",
      status,
      idempotencyKey: randomBytes(12).toString("hex"),
      rfc822MessageId: `<${id}@evergreen.test>`,
      sentAt: status === "SENT" ? new Date() : null,
      gmailThreadId: status === "SENT" ? gmailThreadId : null,
    },
  });
  return id;
}

describe("the contact's timeline", () => {
  it("lists messages to, copied or blind-copied to the address, or linked to the contact, newest first", async () => {
    const contact = { id: (await add(userId, { email: "ada@example.com" })).id, email: "ada@example.com" };
    await test.db.account.create({
      data: {
        userId,
        type: "oidc",
        provider: "google",
        providerAccountId: randomBytes(6).toString("hex"),
        email: "me@gmail.test",
      },
    });
    await seedMessage(userId, { to: ["ada@example.com"], subject: "To" });
    await seedMessage(userId, { to: ["x@y.test"], cc: ["ADA@example.com"], subject: "Cc", status: "FAILED" });
    await seedMessage(userId, { to: ["x@y.test"], bcc: ["ada@example.com"], subject: "Bcc", status: "QUEUED" });
    await seedMessage(userId, { to: ["old-address@example.com"], contactId: contact.id, subject: "Linked" });
    await seedMessage(userId, { to: ["ada@example.com"], subject: "Draft", status: "DRAFT" });
    await seedMessage(userId, { to: ["ada@example.com"], subject: "Cancelled", status: "CANCELLED" });
    await seedMessage(userId, { to: ["ada@example.com.evil.test", "xada@example.com"], subject: "Lookalike" });
    await seedMessage(otherUserId, { to: ["ada@example.com"], subject: "Someone else's" });

    const timeline = await listContactMessages(userId, contact, test.deps);
    expect(timeline.map((item) => item.subject).sort()).toEqual(["Bcc", "Cc", "Linked", "To"]);
    expect(timeline.find((item) => item.subject === "To")).toMatchObject({
      status: "SENT",
      gmailUrl: "https://mail.google.com/mail/u/me%40gmail.test/#sent/18c2f0a1b2c3d4e5",
    });
    expect(timeline.find((item) => item.subject === "Bcc")).toMatchObject({ status: "QUEUED", gmailUrl: null });
  });

  it("shows mail composed in Evergreen to the address in To, Cc or Bcc, the newest 50, newest first", async () => {
    const contact = { id: (await add(userId, { email: "ada@example.com" })).id, email: "ada@example.com" };
    const start = Date.parse("2026-03-01T10:00:00Z");
    for (let n = 0; n < TIMELINE_LIMIT + 5; n++) {
      const field = (["to", "cc", "bcc"] as const)[n % 3]!;
      const compose = { to: ["x@y.test"], subject: `#${n}`, body: "", idempotencyKey: randomBytes(12).toString("hex") };
      // A To of the contact also links the message to it: it must still be listed once.
      await enqueueMessage(userId, composeSchema.parse({ ...compose, [field]: ["Ada@Example.com"] }), {
        ...test.deps,
        now: () => new Date(start + n * 60_000),
      });
    }
    const timeline = await listContactMessages(userId, contact, test.deps);
    expect(timeline.map((item) => item.subject)).toEqual(
      Array.from({ length: TIMELINE_LIMIT }, (_, i) => `#${TIMELINE_LIMIT + 4 - i}`),
    );
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

describe("importing a CSV", () => {
  const csv = [
    "\uFEFFName,E-mail,Company,Job Title,Phone,Notes,Favourite colour",
    'Ada Lovelace,ADA@example.com,Analytical Engines,,,"Met at the Society, 1833",blue',
    "Grace Hopper,grace@navy.test,US Navy,Rear Admiral,,,",
    "Bad Row,not-an-address,,,,,",
    ',ada@example.com,,Countess,+44 20 7946 0000,"Writes notes,\r\nmany of them",',
    '"=HYPERLINK(""http://evil.test"",""x"")",formula@x.test,,,,,',
    "",
  ].join("\r\n");

  it("previews: each address once, bad rows with their row, field and fix, unknown columns named", async () => {
    const plan = await planContactImport(userId, csv, test.deps);
    expect(plan.counts).toEqual({ create: 3, update: 0, unchanged: 0, skippedRows: 1 });
    expect(plan.ignoredColumns).toEqual(["Favourite colour"]);
    expect(plan.errors).toEqual([
      { row: 4, field: "email", message: "Email is not a valid address: write it like name@example.com." },
    ]);
    const ada = plan.items.find((item) => item.email === "ada@example.com");
    expect(ada).toMatchObject({
      rows: [2, 5],
      action: "create",
      values: {
        name: "Ada Lovelace",
        company: "Analytical Engines",
        title: "Countess",
        phone: "+44 20 7946 0000",
        notes: "Met at the Society, 1833\n\nWrites notes,\nmany of them",
      },
    });
    expect(plan.items.find((item) => item.email === "formula@x.test")?.values.name).toBe(
      '=HYPERLINK("http://evil.test","x")',
    );
    expect(await everything(userId)).toEqual([]);
  });

  it("merges into existing contacts: filled cells replace, empty cells keep, notes are added", async () => {
    const { id } = await add(userId, {
      name: "Ada",
      email: "ada@example.com",
      company: "Old Co",
      phone: "123",
      notes: "Known since 1830",
    });
    await add(userId, { name: "Same", email: "same@x.test", company: "Same Co" });
    const plan = await planContactImport(
      userId,
      "email,name,company,phone,notes\nada@example.com,Ada Lovelace,,,Likes maths\nsame@x.test,Same,,,\n",
      test.deps,
    );
    expect(plan.counts).toMatchObject({ create: 0, update: 1, unchanged: 1 });
    expect(plan.items.find((item) => item.email === "ada@example.com")).toMatchObject({
      action: "update",
      contactId: id,
      changed: ["name", "notes"],
    });

    const result = await importContacts(
      userId,
      "email,name,company,phone,notes\nada@example.com,Ada Lovelace,,,Likes maths\nsame@x.test,Same,,,\n",
      { digest: plan.digest },
      test.deps,
    );
    expect(result).toEqual({ created: 0, updated: 1, unchanged: 1, skippedRows: 0 });
    expect(await getContact(userId, id, test.deps)).toMatchObject({
      name: "Ada Lovelace",
      company: "Old Co",
      phone: "123",
      notes: "Known since 1830\n\nLikes maths",
    });
    expect((await listContacts(userId, { query: "lovelace" }, test.deps)).total).toBe(1);
  });

  it("imports what it previewed, skipping the bad rows, and refuses when contacts changed in between", async () => {
    const plan = await planContactImport(userId, csv, test.deps);
    await add(userId, { email: "grace@navy.test", name: "Grace" });
    await expect(importContacts(userId, csv, { digest: plan.digest }, test.deps)).rejects.toThrow(
      /changed since the preview/,
    );
    expect(await everything(userId)).toHaveLength(1);

    const fresh = await planContactImport(userId, csv, test.deps);
    expect(await importContacts(userId, csv, { digest: fresh.digest }, test.deps)).toEqual({
      created: 2,
      updated: 1,
      unchanged: 0,
      skippedRows: 1,
    });
    expect((await everything(userId)).map((contact) => contact.email)).toEqual([
      "ada@example.com",
      "formula@x.test",
      "grace@navy.test",
    ]);
  });

  it("maps headers by name in any case and order, and joins first and last names", async () => {
    const plan = await planContactImport(
      userId,
      "LAST NAME;first_name;EMAIL ADDRESS\nHopper;Grace;grace@x.test",
      test.deps,
    );
    expect(plan.items[0]?.values).toMatchObject({ name: "Grace Hopper", email: "grace@x.test" });
  });

  it("reads a Google Contacts export: its first e-mail, organization and phone columns", async () => {
    const csv = [
      "First Name,Middle Name,Last Name,Nickname,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name,Organization Title,Notes",
      "Grace,Brewster,Hopper,Amazing Grace,* Work,grace@navy.test,Home,grace@home.test,Mobile,+1 202 555 0100,US Navy,Rear Admiral,Wrote COBOL",
    ].join("\n");
    const plan = await planContactImport(userId, csv, test.deps);
    expect(plan.items.map((item) => item.values)).toEqual([
      {
        name: "Grace Hopper",
        email: "grace@navy.test",
        company: "US Navy",
        title: "Rear Admiral",
        phone: "+1 202 555 0100",
        notes: "Wrote COBOL",
      },
    ]);
    expect(plan.ignoredColumns).toContain("E-mail 2 - Value");
  });

  it("reports a row with more values than columns instead of guessing", async () => {
    const plan = await planContactImport(userId, "name,email\nLovelace, Ada,ada@x.test", test.deps);
    expect(plan.items).toEqual([]);
    expect(plan.errors).toEqual([{ row: 2, field: "row", message: expect.stringContaining("in double quotes") }]);
  });

  it("refuses files it cannot read as a whole, at the CSV field, changing nothing", async () => {
    const refusal = (text: string) =>
      planContactImport(userId, text, test.deps).then(
        () => undefined,
        (error) => error,
      );
    expect(await refusal("name,company\nAda,Engines")).toMatchObject({
      field: "csv",
      message: expect.stringContaining('"email"'),
    });
    expect(await refusal("")).toMatchObject({ field: "csv", message: expect.stringContaining("empty") });
    expect(await refusal('email\n"ada@x.test')).toMatchObject({
      field: "csv",
      message: expect.stringContaining("Row 2"),
    });
    expect(await refusal(`email\n${"a@x.test\n".repeat(MAX_IMPORT_ROWS + 1)}`)).toMatchObject({
      message: expect.stringContaining("at most 5,000"),
    });
    expect(await refusal(`email,notes\na@x.test,${"x".repeat(MAX_IMPORT_BYTES)}`)).toMatchObject({
      message: expect.stringContaining("at most 2 MB"),
    });
    expect(await everything(userId)).toEqual([]);
  });

  it("imports 5,000 rows in one go", async () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS }, (_, i) => `Person ${i},person${i}@bulk.test,Co ${i % 7}`);
    const result = await importContacts(userId, ["name,email,company", ...rows].join("\n"), {}, test.deps);
    expect(result.created).toBe(MAX_IMPORT_ROWS);
    expect((await listContacts(userId, { query: "BULK.test" }, test.deps)).pageCount).toBe(200);
    expect((await listContacts(userId, { query: "person4999" }, test.deps)).contacts).toMatchObject([
      { name: "Person 4999", company: "Co 1" },
    ]);
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

  it("lists CSV header cells named like Object's own properties as columns not imported", async () => {
    const plan = await planContactImport(
      userId,
      "__proto__,constructor,toString,email\nx,y,z,ada@example.com",
      test.deps,
    );
    expect(plan.ignoredColumns).toEqual(["__proto__", "constructor", "toString"]);
    expect(plan.items.map((item) => item.values)).toEqual([
      { name: "", email: "ada@example.com", company: "", title: "", phone: "", notes: "" },
    ]);
  });
});
