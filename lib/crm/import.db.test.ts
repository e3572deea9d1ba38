import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { createTwoUsers } from "@/test-support/test-users";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "./contact-fields";
import { contactSchema, createContact, getContact, listContacts, type ContactInput } from "./contacts";
import { importContacts, planContactImport } from "./import";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const add = (owner: string, input: ContactInput) => createContact(owner, contactSchema.parse(input), test.deps);
const everything = (owner: string) =>
  test.db.contact.findMany({ where: { userId: owner }, orderBy: { email: "asc" }, omit: { searchText: true } });

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
        timeZone: "",
        firstName: "Grace",
        tags: [],
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

describe("first names and tags", () => {
  const tagsOf = async (contactId: string) =>
    (await test.db.contactTag.findMany({ where: { contactId }, orderBy: { key: "asc" } })).map(
      ({ key, label, userId: owner }) => ({
        key,
        label,
        owner,
      }),
    );

  it("reads First name and Tags columns: a new contact gets them, an existing one gets its tags added, none removed", async () => {
    const { id: adaId } = await createContact(
      userId,
      { ...contactSchema.parse({ name: "Ada", email: "ada@example.com" }), tags: [{ key: "vip", label: "VIP" }] },
      test.deps,
    );
    const csv = [
      "email,name,First name,Tags",
      'ada@example.com,Ada Lovelace,Augusta,"vip; Countess, maths"',
      'grace@navy.test,Grace Hopper,,"navy;Navy"',
      "grace@navy.test,,,cobol",
    ].join("\n");
    const plan = await planContactImport(userId, csv, test.deps);
    expect(plan.counts).toEqual({ create: 1, update: 1, unchanged: 0, skippedRows: 0 });
    expect(plan.items.find((item) => item.email === "ada@example.com")).toMatchObject({
      action: "update",
      changed: ["name", "firstName", "tags"],
      values: {
        firstName: "Augusta",
        tags: [
          { key: "vip", label: "VIP" },
          { key: "countess", label: "Countess" },
          { key: "maths", label: "maths" },
        ],
      },
      addedTags: [
        { key: "countess", label: "Countess" },
        { key: "maths", label: "maths" },
      ],
    });
    expect(plan.items.find((item) => item.email === "grace@navy.test")?.values.tags).toEqual([
      { key: "navy", label: "navy" },
      { key: "cobol", label: "cobol" },
    ]);

    expect(await importContacts(userId, csv, { digest: plan.digest }, test.deps)).toMatchObject({
      created: 1,
      updated: 1,
    });
    expect(await getContact(userId, adaId, test.deps)).toMatchObject({ name: "Ada Lovelace", firstName: "Augusta" });
    expect(await tagsOf(adaId)).toEqual([
      { key: "countess", label: "Countess", owner: userId },
      { key: "maths", label: "maths", owner: userId },
      { key: "vip", label: "VIP", owner: userId },
    ]);
    const grace = await test.db.contact.findFirstOrThrow({ where: { userId, email: "grace@navy.test" } });
    expect(grace.firstName).toBe("");
    expect((await tagsOf(grace.id)).map(({ key }) => key)).toEqual(["cobol", "navy"]);
    expect((await listContacts(userId, { tag: "NAVY" }, test.deps)).contacts.map(({ email }) => email)).toEqual([
      "grace@navy.test",
    ]);

    // The same file again changes nothing.
    expect((await planContactImport(userId, csv, test.deps)).counts).toMatchObject({ update: 0, unchanged: 2 });
  });

  it("maps first-name and tag headers by their usual names", async () => {
    for (const header of ["first_name", "Given name", "FirstName"]) {
      const plan = await planContactImport(userId, `email,${header},tag\nada@x.test,Ada,a;b`, test.deps);
      expect(plan.ignoredColumns).toEqual([]);
      expect(plan.items[0]?.values).toMatchObject({ firstName: "Ada", tags: [{ key: "a" }, { key: "b" }] });
    }
  });

  it("refuses a row whose first name or tags break a rule, or whose tags pass 20 with the saved ones", async () => {
    await createContact(
      userId,
      {
        ...contactSchema.parse({ email: "full@x.test" }),
        tags: Array.from({ length: 19 }, (_, i) => ({ key: `t${i}`, label: `t${i}` })),
      },
      test.deps,
    );
    const csv = [
      "email,first name,tags",
      `long@x.test,,${"x".repeat(41)}`,
      `first@x.test,${"A".repeat(101)},`,
      "full@x.test,,t0;new1",
      "full@x.test,,new2;new3",
    ].join("\n");
    const plan = await planContactImport(userId, csv, test.deps);
    expect(plan.errors).toEqual([
      { row: 2, field: "tags", message: expect.stringMatching(/^Tag “x{20}…” is too long: keep each tag to 40/) },
      { row: 3, field: "firstName", message: "First name is too long: keep it to 100 characters or fewer." },
      {
        row: 5,
        field: "tags",
        message: expect.stringMatching(/^Tags, added to the tags already there for full@x\.test, pass 20/),
      },
    ]);
    expect(plan.items.find((item) => item.email === "full@x.test")?.addedTags).toEqual([
      { key: "new1", label: "new1" },
    ]);
  });
});

describe("time zones", () => {
  it("reads a Time zone column as Intl spells the name, refuses a bad one per row, and merges like any cell", async () => {
    await add(userId, { name: "Ada", email: "ada@example.com", timeZone: "Europe/London" });
    await add(userId, { name: "Alan", email: "alan@example.com", timeZone: "Europe/London" });
    const csv = [
      "email,name,Time Zone",
      "ada@example.com,Ada Lovelace,europe/paris",
      "alan@example.com,Alan,",
      "grace@navy.test,Grace Hopper,America/New_York",
      "linus@x.test,Linus,Mars/Olympus_Mons",
      "grace@navy.test,,AMERICA/CHICAGO",
    ].join("\n");
    const plan = await planContactImport(userId, csv, test.deps);
    expect(plan.errors).toEqual([
      {
        row: 5,
        field: "timeZone",
        message: "Time zone: use a name like Europe/Paris or America/New_York, or leave it empty to use yours.",
      },
    ]);
    expect(plan.counts).toEqual({ create: 1, update: 1, unchanged: 1, skippedRows: 1 });
    expect(plan.items.find((item) => item.email === "ada@example.com")).toMatchObject({
      changed: ["name", "timeZone"],
      values: { timeZone: "Europe/Paris" },
    });

    await importContacts(userId, csv, { digest: plan.digest }, test.deps);
    const zones = (await everything(userId)).map(({ email, timeZone }) => [email, timeZone]);
    expect(zones).toEqual([
      // An empty cell keeps the saved zone; a later row for the same address replaces an earlier one.
      ["ada@example.com", "Europe/Paris"],
      ["alan@example.com", "Europe/London"],
      ["grace@navy.test", "America/Chicago"],
    ]);
  });

  it("maps time-zone headers by their usual names", async () => {
    for (const header of ["Timezone", "Time Zone", "TZ", "time_zone", "time-zone"]) {
      const plan = await planContactImport(userId, `email,${header}\nada@x.test,Asia/Tokyo`, test.deps);
      expect(plan.ignoredColumns).toEqual([]);
      expect(plan.items[0]?.values.timeZone).toBe("Asia/Tokyo");
    }
  });
});

// Found by the hostile-input corpus (attack/hostile-forms.db.test.ts).
describe("what a hostile request names", () => {
  it("lists CSV header cells named like Object's own properties as columns not imported", async () => {
    const plan = await planContactImport(
      userId,
      "__proto__,constructor,toString,email\nx,y,z,ada@example.com",
      test.deps,
    );
    expect(plan.ignoredColumns).toEqual(["__proto__", "constructor", "toString"]);
    expect(plan.items.map((item) => item.values)).toEqual([
      {
        name: "",
        email: "ada@example.com",
        company: "",
        title: "",
        phone: "",
        notes: "",
        timeZone: "",
        firstName: "",
        tags: [],
      },
    ]);
  });
});
