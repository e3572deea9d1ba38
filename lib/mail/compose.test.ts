import fc from "fast-check";
import { simpleParser, type AddressObject } from "mailparser";
import { describe, expect, it } from "vitest";
import { composeSchema, MAX_RECIPIENTS, readComposeForm, type ComposeInput } from "./compose";
import { buildMime, composeMime } from "./mime";

const valid: ComposeInput = {
  to: ["grace@evergreen.test"],
  cc: [],
  bcc: [],
  subject: "Hello",
  body: "Hi",
  idempotencyKey: "k2b7c9d1e3f5a7b9",
};

const problems = (input: Partial<ComposeInput>) => {
  const result = composeSchema.safeParse({ ...valid, ...input });
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe("the compose form's rules", () => {
  it("accepts a plain message and normalises recipients (trimmed, lower-case, each once)", () => {
    const message = composeSchema.parse({
      ...valid,
      to: [" Grace@Evergreen.test ", "grace@evergreen.test"],
      cc: ["x.y+tag@sub.example.org"],
    });
    expect(message.to).toEqual(["grace@evergreen.test"]);
    expect(message.cc).toEqual(["x.y+tag@sub.example.org"]);
  });

  it.each([
    ["no recipient", { to: [] }, "To: add at least one recipient."],
    [
      "a malformed address",
      { to: ["grace@"] },
      "To: “grace@” is not a valid email address; write it like name@example.com.",
    ],
    [
      "a display name beside an address that is not one",
      { cc: ["Grace <grace@>"] },
      "Cc: “Grace <grace@>” is not a valid email address; write it like name@example.com.",
    ],
    [
      "a display name with a line break",
      { cc: ["Grace\r\nBcc: evil@evil.test <grace@evergreen.test>"] },
      "Cc: the name of grace@evergreen.test cannot contain line breaks",
    ],
    [
      "too many recipients",
      { bcc: Array.from({ length: MAX_RECIPIENTS }, (_, n) => `r${n}@evergreen.test`) },
      "Gmail sends to at most 100 recipients at once",
    ],
    [
      "a subject with a line break",
      { subject: "Hi\r\nBcc: evil@evil.test" },
      "Subject cannot contain line breaks or control characters.",
    ],
    [
      "a subject with a Unicode line separator",
      { subject: "Hi\u2028Bcc: evil@evil.test" },
      "Subject cannot contain line breaks",
    ],
    [
      "a subject hiding a newline in an encoded word",
      { subject: "=?UTF-8?Q?Hi=0D=0ABcc:_evil@evil.test?=" },
      "encoded words",
    ],
    ["an out-of-date form", { idempotencyKey: "x" }, "The form is out of date; reload the page."],
  ])("refuses %s, naming the field and the fix", (_label, input, message) => {
    expect(problems(input as Partial<ComposeInput>).join(" ")).toContain(message);
  });

  it("drops bidirectional controls from an attachment's name, so its extension shows as it is", () => {
    const file = { filename: "invoice\u202efdp.exe", contentType: "application/pdf", content: Buffer.from("x") };
    expect(composeSchema.parse({ ...valid, attachments: [file] }).attachments[0]!.filename).toBe("invoicefdp.exe");
  });

  it("refuses an attachment name with a line break", () => {
    const attachments = [{ filename: "a\nb.pdf", contentType: "application/pdf", content: Buffer.from("x") }];
    expect(problems({ attachments }).join(" ")).toContain("An attachment's name cannot contain line breaks");
  });

  it("sends a file declared multipart/* or message/* as a plain file, so its bytes cannot become MIME parts", () => {
    const declared = (contentType: string) =>
      composeSchema.parse({ ...valid, attachments: [{ filename: "a.eml", contentType, content: Buffer.from("x") }] })
        .attachments[0]!.contentType;
    expect(declared("multipart/mixed")).toBe("application/octet-stream");
    expect(declared("message/rfc822")).toBe("application/octet-stream");
    expect(declared("application/pdf")).toBe("application/pdf");
  });

  it("refuses a recipient whose address hides an encoded word (a client would decode it into a new line)", () => {
    expect(problems({ bcc: ["=?utf-8?B?DUJjYzogeEBldmlsLnRlc3Q=?=@evil.test"] }).join(" ")).toContain(
      "is not a valid email address",
    );
  });

  // Found by attack/header-injection.test.ts: any string used to pass, and became extra References.
  it("takes one Message-ID as In-Reply-To, and nothing else", () => {
    expect(problems({ inReplyTo: "<CAF=3dx+Y_z-1@mail.gmail.com>" })).toEqual([]);
    for (const inReplyTo of [
      "<a@evergreen.test>\r\nBcc: x@evil.test",
      "<a b@evergreen.test>",
      "<a@evergreen.test> <b@evergreen.test>",
      "a@evergreen.test",
      "<=?utf-8?Q?=0D=0A?=@evergreen.test>",
      "",
    ]) {
      const result = composeSchema.safeParse({ ...valid, inReplyTo });
      expect(result.success, inReplyTo).toBe(false);
      expect(result.error?.issues.map((issue) => [issue.path[0], issue.message.slice(0, 11)])).toContainEqual([
        "inReplyTo",
        "In-Reply-To",
      ]);
    }
  });
});

describe("an unsubscribe link and sending to an address that unsubscribed", () => {
  const oneRecipient = "An unsubscribe link is for one person: keep one address in To and none in Cc or Bcc.";

  it("adds an unsubscribe link only to an email for one person in To", () => {
    expect(composeSchema.parse({ ...valid, unsubscribeLink: true }).unsubscribeLink).toBe(true);
    expect(composeSchema.parse(valid).unsubscribeLink).toBeUndefined();
    expect(problems({ unsubscribeLink: true, to: ["a@x.test", "b@x.test"] })).toEqual([oneRecipient]);
    expect(problems({ unsubscribeLink: true, cc: ["c@x.test"] })).toEqual([oneRecipient]);
    expect(problems({ unsubscribeLink: true, bcc: ["c@x.test"] })).toEqual([oneRecipient]);
    const result = composeSchema.safeParse({ ...valid, unsubscribeLink: true, cc: ["c@x.test"] });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([["unsubscribeLink"]]);
  });

  it("reads both from the form: the box ticked, and each address confirmed, lower-cased", async () => {
    const form = new FormData();
    form.append("to", "grace@evergreen.test");
    form.append("idempotencyKey", valid.idempotencyKey);
    form.append("unsubscribeLink", "1");
    form.append("sendToUnsubscribed", "Grace <Grace@Evergreen.test>");
    const message = composeSchema.parse(await readComposeForm(form));
    expect(message).toMatchObject({ unsubscribeLink: true, sendToUnsubscribed: ["grace@evergreen.test"] });
  });
});

describe("a recipient's display name", () => {
  const sent = async (to: string[]) => {
    const message = composeSchema.parse({ ...valid, to });
    const node = composeMime({ ...message, text: message.body, messageId: "<m@evergreen.test>" });
    const parsed = await simpleParser(await node.build());
    const entries = (field: AddressObject | AddressObject[] | undefined) =>
      [field ?? []].flat().flatMap((group) => group.value.map(({ name, address }) => ({ name, address })));
    return { stored: message.to, to: entries(parsed.to), envelope: node.getEnvelope().to, headers: parsed.headerLines };
  };

  it("is kept from the form to the sent message: To: Bob Smith <bob@x.test>", async () => {
    const { stored, to, headers } = await sent(["Bob Smith <Bob@X.test>", '"Lovelace, Ada" <ada@x.test>', "c@x.test"]);
    expect(stored).toEqual(["Bob Smith <bob@x.test>", '"Lovelace, Ada" <ada@x.test>', "c@x.test"]);
    expect(to).toEqual([
      { name: "Bob Smith", address: "bob@x.test" },
      { name: "Lovelace, Ada", address: "ada@x.test" },
      { name: "", address: "c@x.test" },
    ]);
    expect(headers.find((line) => line.key === "to")?.line).toBe(
      'To: Bob Smith <bob@x.test>, "Lovelace, Ada" <ada@x.test>, c@x.test',
    );
  });

  it("counts its address once: the same address again, under any name or case, is the same recipient", async () => {
    const { stored } = await sent(["Bob <bob@x.test>", "BOB@x.test", "Robert <Bob@x.test>"]);
    expect(stored).toEqual(["Bob <bob@x.test>"]);
  });

  it.each([
    ["quotes and backslashes", 'Bob "The \\ Builder" Smith'],
    ["commas and semicolons", "Smith, Bob; x@evil.test"],
    ["what looks like more addresses", '"x@evil.test", y@evil.test'],
    ["non-ASCII text", "Zoë Ünal, 日本語 ✓"],
    ["non-ASCII with quotes and commas", 'Zoë "Z", Ünal; x@evil.test'],
  ])("with %s is one name for one address, never another recipient or header", async (_label, name) => {
    const written = `"${name.replace(/["\\]/g, "\\$&")}" <bob@x.test>`;
    const { to, envelope, headers } = await sent([written]);
    expect(to).toEqual([{ name, address: "bob@x.test" }]);
    expect(envelope).toEqual(["bob@x.test"]);
    expect(headers.filter((line) => ["to", "cc", "bcc"].includes(line.key)).map((line) => line.key)).toEqual(["to"]);
  });

  it("from any text a person could paste, either is refused at its field or reaches Gmail exactly as stored", async () => {
    const hostile = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 30 }),
      fc.constantFrom('"', "\\", ",", ";", "<", ">", "@", "\r\n", "\n", "\u2028", "=?utf-8?q?x?=", "Bcc: x@evil.test"),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { maxLength: 6 }), async (pieces) => {
        const name = pieces.join("");
        const input = `"${name.replace(/["\\]/g, "\\$&")}" <bob@x.test>`;
        const result = composeSchema.safeParse({ ...valid, to: [input] });
        if (!result.success) {
          expect(result.error.issues.map((issue) => issue.path[0])).toEqual(["to"]);
          return;
        }
        const { to, envelope } = await sent([input]);
        expect(envelope).toEqual(["bob@x.test"]);
        expect(to).toHaveLength(1);
        expect(to[0]!.address).toBe("bob@x.test");
        expect(to[0]!.name).toBe(name.trim().replace(/ {2,}/g, " "));
      }),
      { numRuns: 300 },
    );
  });
});

describe("hostile header values", () => {
  const hostile = [
    "x\r\nBcc: evil@evil.test",
    "x\nTo: evil@evil.test",
    "x\u0085Cc: evil@evil.test",
    "x\u2029Bcc: evil@evil.test",
    "x\u0000Bcc: evil@evil.test",
    "=?utf-8?b?eA0KQmNjOiBldmlsQGV2aWwudGVzdA==?=",
  ];

  it.each(hostile)("%j never adds a header or a recipient", async (value) => {
    // Refused by validation …
    expect(composeSchema.safeParse({ ...valid, subject: value }).success).toBe(false);
    // … and even built directly, MailComposer encodes it into the one Subject header.
    const parsed = await simpleParser(
      await buildMime({
        to: ["grace@evergreen.test"],
        cc: [],
        bcc: [],
        subject: value,
        text: "Hi",
        messageId: "<m@evergreen.test>",
      }),
    );
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.cc).toBeUndefined();
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((entry) => entry.address) : []).toEqual([
      "grace@evergreen.test",
    ]);
  });
});

describe("the compose form as the send action reads it", () => {
  it("takes repeated recipient fields, an ISO send time and files as bytes", async () => {
    const form = new FormData();
    for (const [name, value] of [
      ["to", "grace@evergreen.test"],
      ["to", "ada@evergreen.test"],
      ["cc", "cc@evergreen.test"],
      ["subject", "Grüße ✓ 日本語"],
      ["body", "Hi"],
      ["idempotencyKey", valid.idempotencyKey],
      ["sendAt", "2030-01-02T09:00:00.000Z"],
    ])
      form.append(name!, value!);
    form.append("attachments", new File(["%PDF-1.7"], "quote.pdf", { type: "application/pdf" }));
    form.append("attachments", new File(["x"], "notes"));

    const message = composeSchema.parse(await readComposeForm(form));
    expect(message).toMatchObject({
      to: ["grace@evergreen.test", "ada@evergreen.test"],
      cc: ["cc@evergreen.test"],
      bcc: [],
      subject: "Grüße ✓ 日本語",
      sendAt: new Date("2030-01-02T09:00:00.000Z"),
    });
    expect(
      message.attachments.map(({ filename, contentType, content }) => [filename, contentType, `${content}`]),
    ).toEqual([
      ["quote.pdf", "application/pdf", "%PDF-1.7"],
      ["notes", "application/octet-stream", "x"],
    ]);
  });

  it("reads a missing field as empty and an empty file input as no attachment", async () => {
    const form = new FormData();
    form.append("attachments", new File([], ""));
    // As a no-JavaScript form post reaches a server action: Next names the empty part "undefined".
    form.append("attachments", new File([], "undefined"));
    expect(await readComposeForm(form)).toEqual({
      to: [],
      cc: [],
      bcc: [],
      subject: "",
      body: "",
      idempotencyKey: "",
      sendAt: undefined,
      unsubscribeLink: false,
      sendToUnsubscribed: [],
      attachments: [],
    });
  });
});

// Found by the hostile-input corpus (attack/hostile-forms.db.test.ts).
describe("what the database cannot store, and a send time that is no time", () => {
  it("refuses a NUL or half a surrogate pair in the body or subject, naming the field", () => {
    const body = "Body contains a NUL or a broken character (half of an emoji); remove it.";
    expect(problems({ body: "a\u0000b" })).toEqual([body]);
    expect(problems({ body: "\ud83d" })).toEqual([body]);
    expect(problems({ subject: "Hi \udfff" })).toEqual([
      "Subject contains a broken character (half of an emoji); retype it.",
    ]);
    expect(problems({ body: "tabs\tand 😀 stay" })).toEqual([]);
  });

  it("says where and what to do when the send time is not a date", () => {
    expect(problems({ sendAt: "next-ish" })).toEqual(["Schedule: pick a date and time, like tomorrow at 9:00."]);
  });
});
