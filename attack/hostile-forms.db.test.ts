import { randomBytes } from "node:crypto";
import { domainToASCII } from "node:url";
import { simpleParser, type AddressObject } from "mailparser";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CONTACT_FIELD_LABELS,
  CONTACT_FIELDS,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  type ContactField,
} from "@/lib/crm/contact-fields";
import {
  contactSchema,
  createContact,
  deleteContact,
  getContact,
  listContacts,
  parsePage,
  updateContact,
} from "@/lib/crm/contacts";
import { importContacts, planContactImport } from "@/lib/crm/import";
import { parseMailbox } from "@/lib/mail/email-address";
import { UserError } from "@/lib/platform/errors";
import { composeSchema, type ComposeInput } from "@/lib/mail/compose";
import { cancelMessage, decideMessage, enqueueMessage, getMessageStatus } from "@/lib/mail/messages";
import { parseOutboxFilter } from "@/lib/mail/outbox-view";
import { buildMime } from "@/lib/mail/mime";
import { safeCallbackPath } from "@/lib/http/safe-redirect";
import { describeSignInError } from "@/lib/connection/sign-in-errors";
import { setupTestDatabase } from "@/test-support/test-deps";
import { describeHostile, HOSTILE_INPUTS } from "./hostile-inputs";

// Every value of the hostile corpus through every field of every form's lib function: each is refused
// with a message at that field, naming it in words (never a validator's default), or stored exactly as
// accepted and read back so; nothing throws unexpectedly and nothing is half-written. Problems are
// collected, so a failure lists every value that broke a rule, not just the first.

const test = setupTestDatabase();
const corpus = HOSTILE_INPUTS.map((input) => input.value);

const newUser = async (label: string) =>
  (await test.db.user.create({ data: { email: `${label}-${randomBytes(4).toString("hex")}@evergreen.test` } })).id;

// A validator's stock wording says neither which field nor what to do about it.
const STOCK_MESSAGE = /^(Invalid|Too (big|small)|Expected)|expected .+ received/i;

function messageProblem(message: string, mustName: string): string | null {
  if (!message.includes(mustName)) return `message does not name ${mustName}: ${message}`;
  if (STOCK_MESSAGE.test(message)) return `validator's stock message: ${message}`;
  return null;
}

const thrown = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error);

describe("the contact form (create and edit)", () => {
  // The normalisation the form documents: trimmed, addresses lower-cased, notes with LF line breaks,
  // time zones as Intl spells them.
  const normalised = (field: ContactField, value: string) =>
    field === "email"
      ? value.trim().toLowerCase()
      : field === "notes"
        ? value.replace(/\r\n?/g, "\n").trim()
        : field === "timeZone" && value.trim()
          ? new Intl.DateTimeFormat("en-US", { timeZone: value.trim() }).resolvedOptions().timeZone
          : value.trim();

  it.each(CONTACT_FIELDS)("every hostile value in %s is refused at that field or saved exactly", async (field) => {
    const userId = await newUser(`contact-${field}`);
    const { id: editedId } = await createContact(
      userId,
      contactSchema.parse({ name: "Edited", email: "edited@example.com" }),
      test.deps,
    );
    const problems: string[] = [];
    let accepted = 0;
    for (const [index, value] of corpus.entries()) {
      const shown = describeHostile(value);
      const input = { name: "Probe", email: `probe-${index}@example.com`, [field]: value };
      const parsed = contactSchema.safeParse(input);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          if (issue.path[0] !== field) problems.push(`${shown}: error at ${String(issue.path[0])}, not ${field}`);
          const problem = messageProblem(issue.message, CONTACT_FIELD_LABELS[field]);
          if (problem) problems.push(`${shown}: ${problem}`);
        }
        continue;
      }
      if (parsed.data[field] !== normalised(field, value)) {
        problems.push(`${shown}: accepted as ${describeHostile(parsed.data[field])}, not as typed`);
        continue;
      }
      try {
        const { id } = await createContact(userId, parsed.data, test.deps);
        accepted += 1;
        const saved = await getContact(userId, id, test.deps);
        if (JSON.stringify(pick(saved)) !== JSON.stringify(parsed.data))
          problems.push(`${shown}: created, but reads back differently`);
        const edit = { ...parsed.data, email: "edited@example.com" };
        if (!(await updateContact(userId, editedId, edit, test.deps))) problems.push(`${shown}: edit not applied`);
        else if (JSON.stringify(pick(await getContact(userId, editedId, test.deps))) !== JSON.stringify(edit))
          problems.push(`${shown}: edited, but reads back differently`);
      } catch (error) {
        problems.push(`${shown}: threw ${thrown(error)}`);
      }
    }
    expect(problems).toEqual([]);
    // Exactly the accepted values became contacts (plus the one edited), and none lacks an address.
    expect(await test.db.contact.count({ where: { userId } })).toBe(accepted + 1);
    expect(await test.db.contact.count({ where: { userId, email: "" } })).toBe(0);
  });
});

function pick(contact: Record<ContactField, string> | null) {
  if (!contact) return null;
  return Object.fromEntries(CONTACT_FIELDS.map((field) => [field, contact[field]]));
}

// A valid value for each column the row is not probing.
const FILLER: Record<ContactField, string> = {
  name: "Probe",
  email: "probe@example.com",
  company: "Probe Ltd",
  title: "Tester",
  phone: "+44 20 7946 0000",
  notes: "Probe",
  timeZone: "Europe/Paris",
};

/** A CSV as a spreadsheet writes it: every cell quoted, quotes doubled, CRLF between rows. */
function toCsv(rows: string[][]): string {
  return rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(",")).join("\r\n");
}

describe("CSV import", () => {
  it.each(CONTACT_FIELDS)(
    "a file with every hostile value in the %s column: each row is refused with its reason or imported exactly",
    async (field) => {
      const userId = await newUser(`import-${field}`);
      const header = [...CONTACT_FIELDS];
      const rows = corpus.map((value, index) =>
        header.map((column) =>
          column === field ? value : column === "email" ? `row-${index}@example.com` : FILLER[column],
        ),
      );
      const csv = toCsv([header, ...rows]);
      const plan = await planContactImport(userId, csv, test.deps);
      const problems: string[] = [];
      const byRow = new Map(plan.items.flatMap((item) => item.rows.map((row) => [row, item] as const)));
      for (const [index, value] of corpus.entries()) {
        const row = index + 2;
        const shown = `row ${row} ${describeHostile(value)}`;
        const errors = plan.errors.filter((error) => error.row === row);
        const item = byRow.get(row);
        if (errors.length > 0 === Boolean(item)) problems.push(`${shown}: neither refused nor planned, or both`);
        for (const error of errors) {
          if (error.field !== field) problems.push(`${shown}: refused at ${error.field}, not ${field}`);
          const problem = messageProblem(error.message, CONTACT_FIELD_LABELS[field]);
          if (problem) problems.push(`${shown}: ${problem}`);
        }
      }
      expect(problems).toEqual([]);

      const before = await test.db.contact.count({ where: { userId } });
      const result = await importContacts(userId, csv, { digest: plan.digest }, test.deps);
      expect(result).toMatchObject({ created: plan.counts.create, skippedRows: plan.counts.skippedRows });
      expect(await test.db.contact.count({ where: { userId } })).toBe(before + plan.counts.create);
      // Each imported contact reads back as the preview showed it: cells are text, formulas included.
      const saved = await test.db.contact.findMany({ where: { userId } });
      const savedByEmail = new Map(saved.map((contact) => [contact.email, pick(contact)]));
      for (const item of plan.items) expect(savedByEmail.get(item.email)).toEqual(pick(item.values));
    },
  );

  const HOSTILE_FILES: Array<[string, string]> = [
    ["an empty file", ""],
    ["only whitespace", " \r\n\t\r\n"],
    ["only a byte order mark", "\ufeff"],
    ["a header without an email column", "name,company\r\nAda,Engines"],
    ["a quote never closed", 'email,name\r\nada@example.com,"Ada'],
    [
      "one row past the row limit",
      `email\n${Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `r${i}@example.com`).join("\n")}`,
    ],
    ["one byte past the size limit", `email,notes\nada@example.com,${"a".repeat(MAX_IMPORT_BYTES)}`],
    ["a header of hostile names", `__proto__,constructor,toString,=cmd|' /C calc'!A0,email\r\nx,y,z,w,ada@example.com`],
    ["a header only", "email,name"],
    ["a byte order mark and CR line endings", "\ufeffemail,name\rada@example.com,Ada\rgrace@example.com,Grace"],
    ["semicolons", "email;name\nada@example.com;=1+1"],
    ["tabs", "email\tname\nada@example.com\t@SUM(1+1)"],
    ["a row with more values than the header", "email,name\nada@example.com,Ada,extra,=cmd|' /C calc'!A0"],
    ["NUL bytes in cells", "email,name\nada@example.com,A\u0000da"],
    ["lone surrogates in cells", "email,name\nada@example.com,\ud800Ada"],
    ["a stray quote inside a value", 'email,name\nada@example.com,Ada "the" Countess'],
    ["text after a closing quote", 'email,name\nada@example.com,"Ada"Lovelace'],
    [
      "the same address on every row",
      `email,notes\n${Array.from({ length: 50 }, (_, i) => `ada@example.com,note ${i}`).join("\n")}`,
    ],
    [
      "a 10,000-character cell in every column",
      `email,name,notes\nada@example.com,${"n".repeat(10_000)},${"x".repeat(10_000)}`,
    ],
    ["only blank rows after the header", "email,name\n,\n,\n"],
    ["a formula in the email column", 'email\n=HYPERLINK("https://evil.example")\n@example.com'],
    ["CRLF inside quoted cells", 'email,notes\nada@example.com,"line one\r\nBcc: victim@evil.example"'],
  ];

  it.each(HOSTILE_FILES)(
    "%s: a clear file error or a preview, and import changes only what it previewed",
    async (_, csv) => {
      const userId = await newUser("import-file");
      const before = await test.db.contact.count({ where: { userId } });
      let plan;
      try {
        plan = await planContactImport(userId, csv, test.deps);
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).field).toBe("csv");
        expect((error as UserError).message).toMatch(/CSV|row|file/i);
        await expect(importContacts(userId, csv, {}, test.deps)).rejects.toBeInstanceOf(UserError);
        expect(await test.db.contact.count({ where: { userId } })).toBe(before);
        return;
      }
      for (const error of plan.errors) expect(error.message.length).toBeGreaterThan(10);
      await importContacts(userId, csv, { digest: plan.digest }, test.deps);
      const saved = await test.db.contact.findMany({ where: { userId } });
      expect(saved).toHaveLength(before + plan.counts.create);
      for (const item of plan.items)
        expect(pick(saved.find((contact) => contact.email === item.email) ?? null)).toEqual(pick(item.values));
    },
  );
});

describe("the compose form", () => {
  type Field =
    "to" | "cc" | "bcc" | "subject" | "body" | "filename" | "contentType" | "sendAt" | "idempotencyKey" | "followUpOf";
  const FIELDS: Array<[Field, string]> = [
    ["to", "To"],
    ["cc", "Cc"],
    ["bcc", "Bcc"],
    ["subject", "Subject"],
    ["body", "Body"],
    ["filename", "attachment"],
    ["contentType", "attachment"],
    ["sendAt", "Schedule"],
    // A hidden field: its message names the fix, since the user never typed it.
    ["idempotencyKey", "reload the page"],
    // Hidden too: which sent email a follow-up answers; anything but the user's own sent email is refused.
    ["followUpOf", "follow up on"],
  ];

  function messageWith(field: Field, value: string): ComposeInput {
    const base: ComposeInput = {
      to: ["ada@example.com"],
      subject: "Hello",
      body: "Hi Ada",
      idempotencyKey: randomBytes(12).toString("hex"),
    };
    if (field === "to" || field === "cc" || field === "bcc") return { ...base, [field]: [value] };
    if (field === "filename" || field === "contentType") {
      const file = { filename: "notes.txt", contentType: "text/plain", content: Buffer.from("hello") };
      return { ...base, attachments: [{ ...file, [field]: value }] };
    }
    return { ...base, [field]: value };
  }

  // mailparser shows an IDN domain in Unicode; Evergreen stores and sends its ASCII (punycode) form.
  const asciiAddress = (address: string) => {
    const at = address.lastIndexOf("@");
    return at < 0 ? address : `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1))}`;
  };

  /** The headers a recipient's client would read from the MIME Gmail is given. */
  async function sentHeaders(message: { to: string[]; cc: string[]; bcc: string[]; subject: string; text: string }) {
    const raw = await buildMime({ ...message, messageId: "<probe@example.com>", from: { address: "me@example.com" } });
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true });
    const addresses = (value: AddressObject | AddressObject[] | undefined) =>
      [value ?? []]
        .flat()
        .flatMap((list) => list.value.map(({ name, address }) => ({ name, address: asciiAddress(address ?? "") })));
    return {
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      bcc: addresses(parsed.bcc),
      subject: parsed.subject ?? "",
      names: [...parsed.headers.keys()],
    };
  }

  it.each(FIELDS)("every hostile value in %s is refused at that field or queued exactly", async (field, label) => {
    const userId = await newUser(`compose-${field}`);
    const problems: string[] = [];
    let queued = 0;
    for (const value of corpus) {
      const shown = describeHostile(value);
      const parsed = composeSchema.safeParse(messageWith(field, value));
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const at = issue.path[0] === "attachments" ? (issue.path[2] ?? "attachments") : issue.path[0];
          if (at !== field) problems.push(`${shown}: error at ${String(at)}, not ${field}`);
          const problem = messageProblem(issue.message, label);
          if (problem) problems.push(`${shown}: ${problem}`);
        }
        continue;
      }
      try {
        const message = parsed.data;
        let result;
        try {
          result = await enqueueMessage(userId, message, test.deps);
        } catch (error) {
          // The checks made against the clock (a scheduled time outside the allowed window) and the
          // database (a follow-up to an email that is not the user's own sent one).
          if (error instanceof UserError && error.field === field && (field === "sendAt" || field === "followUpOf")) {
            const problem = messageProblem(error.message, label);
            if (problem) problems.push(`${shown}: ${problem}`);
            continue;
          }
          throw error;
        }
        queued += 1;
        const saved = await test.db.message.findUniqueOrThrow({
          where: { id: result.id },
          include: { attachments: true },
        });
        const expected = {
          to: message.to,
          cc: message.cc,
          bcc: message.bcc,
          subject: message.subject,
          text: message.body,
          attachments: message.attachments.map((file) => [file.filename, file.contentType, file.content.toString()]),
        };
        const actual = {
          to: saved.to,
          cc: saved.cc,
          bcc: saved.bcc,
          subject: saved.subject,
          text: saved.text,
          attachments: saved.attachments.map((file) => [
            file.filename,
            file.contentType,
            Buffer.from(file.content).toString(),
          ]),
        };
        if (JSON.stringify(actual) !== JSON.stringify(expected))
          problems.push(`${shown}: queued, but reads back differently`);
        // What Gmail would be given carries exactly these recipients and subject, and no header of the value's.
        const headers = await sentHeaders({ ...expected, text: message.body });
        for (const list of ["to", "cc", "bcc"] as const)
          if (JSON.stringify(headers[list]) !== JSON.stringify(message[list].map(parseMailbox)))
            problems.push(`${shown}: the MIME ${list} is ${JSON.stringify(headers[list])}`);
        if (headers.subject !== message.subject) problems.push(`${shown}: the MIME subject differs`);
        if (headers.names.some((name) => !KNOWN_HEADERS.has(name)))
          problems.push(`${shown}: the MIME has headers ${headers.names.join(", ")}`);
      } catch (error) {
        problems.push(`${shown}: threw ${thrown(error)}`);
      }
    }
    expect(problems).toEqual([]);
    // Only what was queued is stored, and every stored message has someone to go to.
    const stored = await test.db.message.findMany({ where: { userId }, select: { to: true } });
    expect(stored).toHaveLength(queued);
    expect(stored.filter(({ to }) => !Array.isArray(to) || to.length === 0)).toEqual([]);
  });
});

const KNOWN_HEADERS = new Set([
  "content-type",
  "from",
  "to",
  "cc",
  "bcc",
  "subject",
  "message-id",
  "date",
  "mime-version",
  "content-transfer-encoding",
]);

describe("decisions and lookups by a hostile id", () => {
  it("finds nothing, changes nothing and throws nothing, whatever the id", async () => {
    const userId = await newUser("ids");
    const { id: contactId } = await createContact(
      userId,
      contactSchema.parse({ name: "Ada", email: "ada@example.com" }),
      test.deps,
    );
    const failed = await enqueueMessage(
      userId,
      composeSchema.parse({
        to: ["ada@example.com"],
        subject: "Hi",
        body: "",
        idempotencyKey: randomBytes(12).toString("hex"),
      }),
      test.deps,
    );
    await test.db.message.update({ where: { id: failed.id }, data: { status: "FAILED" } });
    const problems: string[] = [];
    for (const value of corpus) {
      const shown = describeHostile(value);
      const attempts: Array<[string, () => Promise<unknown>, unknown]> = [
        ["getContact", () => getContact(userId, value, test.deps), null],
        [
          "updateContact",
          () => updateContact(userId, value, contactSchema.parse({ email: "x@example.com" }), test.deps),
          false,
        ],
        ["deleteContact", () => deleteContact(userId, value, test.deps), false],
        ["cancelMessage", () => cancelMessage(userId, value, test.deps), false],
        ["getMessageStatus", () => getMessageStatus(userId, value, test.deps), null],
        ["decideMessage retry", () => decideMessage(userId, value, "retry", test.deps), false],
        ["decideMessage send-again", () => decideMessage(userId, value, "send-again", test.deps), false],
        ["decideMessage dismiss", () => decideMessage(userId, value, "dismiss", test.deps), false],
      ];
      for (const [name, attempt, expected] of attempts) {
        try {
          const result = await attempt();
          if (result !== expected) problems.push(`${name}(${shown}) gave ${JSON.stringify(result)}`);
        } catch (error) {
          problems.push(`${name}(${shown}) threw ${thrown(error)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await getContact(userId, contactId, test.deps)).toMatchObject({ name: "Ada", email: "ada@example.com" });
    expect(await getMessageStatus(userId, failed.id, test.deps)).toMatchObject({ status: "FAILED" });
  });
});

describe("query parameters as the pages read them", () => {
  it("contacts search and page, outbox filter, sign-in callbackUrl and error: every value gives a sane answer", async () => {
    const userId = await newUser("query");
    await createContact(userId, contactSchema.parse({ name: "Ada", email: "ada@example.com" }), test.deps);
    const problems: string[] = [];
    for (const value of corpus) {
      const shown = describeHostile(value);
      try {
        const page = await listContacts(userId, { query: value, page: parsePage(value) }, test.deps);
        if (page.page < 1 || page.page > page.pageCount) problems.push(`q/page ${shown}: page ${page.page}`);
        if (page.query !== value.trim().slice(0, 100))
          problems.push(`q ${shown}: echoed as ${describeHostile(page.query)}`);
      } catch (error) {
        problems.push(`q/page ${shown}: threw ${thrown(error)}`);
      }
      if (!Number.isSafeInteger(parsePage(value)) || parsePage(value) < 1)
        problems.push(`page ${shown}: ${parsePage(value)}`);
      if (!["all", "scheduled", "queued", "waiting", "failed", "unknown", "sent"].includes(parseOutboxFilter(value)))
        problems.push(`status ${shown}: ${parseOutboxFilter(value)}`);
      const callback = safeCallbackPath(value);
      if (!callback.startsWith("/") || /^\/[/\\]/.test(callback) || /[\s\u0000-\u001f]/.test(callback))
        problems.push(`callbackUrl ${shown}: ${callback}`);
      const error = describeSignInError(value);
      if (error !== undefined && error.includes(value) && value.length > 3) problems.push(`error ${shown} is echoed`);
    }
    expect(problems).toEqual([]);
  });
});
