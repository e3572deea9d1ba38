import { simpleParser, type AddressObject } from "mailparser";
import { describe, expect, it } from "vitest";
import { buildMime, newMessageId, safeDisplayName, textToHtml, type MimeInput } from "./mime";

const base: MimeInput = {
  from: { name: "Ada Lovelace", address: "ada@evergreen.test" },
  to: ["grace@evergreen.test"],
  cc: [],
  bcc: [],
  subject: "Hello",
  text: "Hi Grace",
  messageId: "<m1@evergreen.test>",
};

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) => group.value.map((entry) => entry.address));

describe("building a message", () => {
  it("encodes UTF-8 names and subjects and keeps every recipient, Bcc included (Gmail reads them from the headers)", async () => {
    const raw = await buildMime({
      ...base,
      from: { name: "Zoë Ünal", address: "zoe@evergreen.test" },
      to: ["grace@evergreen.test", "alan@evergreen.test"],
      cc: ["cc@evergreen.test"],
      bcc: ["hidden@evergreen.test"],
      subject: "Grüße – Prüfung ✓ 日本語",
    });
    expect(raw.toString("latin1")).toMatch(/^Subject: =\?UTF-8\?/m);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe("Grüße – Prüfung ✓ 日本語");
    expect(parsed.from?.value[0]).toMatchObject({ name: "Zoë Ünal", address: "zoe@evergreen.test" });
    expect(addresses(parsed.to)).toEqual(["grace@evergreen.test", "alan@evergreen.test"]);
    expect(addresses(parsed.cc)).toEqual(["cc@evergreen.test"]);
    expect(addresses(parsed.bcc)).toEqual(["hidden@evergreen.test"]);
    expect(parsed.messageId).toBe("<m1@evergreen.test>");
  });

  it("carries text, a safe HTML alternative and attachments byte for byte", async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10]);
    const parsed = await simpleParser(
      await buildMime({
        ...base,
        text: "Line one <b>not bold</b>\nSee https://example.com/a?b=1&c=2.",
        attachments: [{ filename: "Angebot – März.pdf", contentType: "application/pdf", content: pdf }],
      }),
    );
    expect(parsed.text?.trim()).toBe("Line one <b>not bold</b>\nSee https://example.com/a?b=1&c=2.");
    expect(parsed.html).toContain("Line one &lt;b&gt;not bold&lt;/b&gt;<br>");
    expect(parsed.html).toContain('<a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>.');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: "Angebot – März.pdf", contentType: "application/pdf" });
    expect(Buffer.compare(parsed.attachments[0]!.content, pdf)).toBe(0);
  });

  // Found by attack/header-injection-attachments.test.ts: MailComposer's name="…" did not escape them.
  it.each(['a"; name="evil.exe', "C:\\temp\\", 'quote " and \\ backslash.pdf', 'Grüße "x".pdf'])(
    "keeps the file name %j whole, in both headers that carry it",
    async (filename) => {
      const parsed = await simpleParser(
        await buildMime({
          ...base,
          attachments: [{ filename, contentType: "application/pdf", content: Buffer.from("x") }],
        }),
      );
      const [attachment] = parsed.attachments;
      expect(attachment?.filename).toBe(filename);
      expect(attachment?.headers.get("content-type")).toMatchObject({
        value: "application/pdf",
        params: { name: filename },
      });
      expect(attachment?.headers.get("content-disposition")).toMatchObject({ params: { filename } });
    },
  );

  it("follows up a message we sent with In-Reply-To and References", async () => {
    const parsed = await simpleParser(
      await buildMime({ ...base, messageId: "<m2@evergreen.test>", inReplyTo: "<m1@evergreen.test>" }),
    );
    expect(parsed.inReplyTo).toBe("<m1@evergreen.test>");
    expect(parsed.references).toBe("<m1@evergreen.test>");
  });
});

describe("one-click unsubscribe (RFC 8058)", () => {
  const url = `https://crm.example-with-a-rather-long-host-name.com/u/${"A".repeat(22)}.${"b".repeat(43)}`;

  it("sends List-Unsubscribe with the one link in angle brackets and List-Unsubscribe-Post, each whole on one line", async () => {
    const raw = await buildMime({ ...base, listUnsubscribe: url });
    const head = raw.toString("latin1").split("\r\n\r\n")[0]!;
    expect(head.split("\r\n")).toEqual(
      expect.arrayContaining([`List-Unsubscribe: <${url}>`, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]),
    );
    const parsed = await simpleParser(raw);
    const lines = parsed.headerLines.filter((line) => line.key.startsWith("list-"));
    expect(lines).toEqual([
      { key: "list-unsubscribe", line: `List-Unsubscribe: <${url}>` },
      { key: "list-unsubscribe-post", line: "List-Unsubscribe-Post: List-Unsubscribe=One-Click" },
    ]);
    expect(parsed.text?.trim()).toBe("Hi Grace");
  });

  it("sends neither header without a link", async () => {
    const parsed = await simpleParser(await buildMime(base));
    expect(parsed.headerLines.filter((line) => line.key.startsWith("list-"))).toEqual([]);
  });

  it.each([
    ["a second link", `${url}>, <mailto:x@evil.test`],
    ["a line break", `${url}\r\nBcc: x@evil.test`],
    ["a space", `${url} x`],
    ["another scheme", "javascript:alert(1)"],
  ])("refuses a link with %s rather than send it", async (_label, link) => {
    await expect(buildMime({ ...base, listUnsubscribe: link })).rejects.toThrow("not a List-Unsubscribe URL");
  });
});

describe("the sender's name", () => {
  // Found by attack/header-injection.test.ts: it comes from the Google profile, which no form validates.
  it.each([
    ["a line break", "Ada\r\nBcc: x@evil.test", "Ada Bcc: x@evil.test"],
    ["a Unicode line separator and a tab", "Ada\u2028Love\tlace", "Ada Love lace"],
    ["an encoded word that decodes to a header", "=?utf-8?B?DUJjYzogeEBldmlsLnRlc3Q=?=", ""],
    ["an encoded word inside quotes", '"=?utf-8?Q?a=0D=0ABcc:_x@evil.test?="', ""],
  ])("with %s is shown without it, on the one From header", async (_label, name, shown) => {
    expect(safeDisplayName(name)).toBe(shown);
    const parsed = await simpleParser(await buildMime({ ...base, from: { name, address: "ada@evergreen.test" } }));
    expect(parsed.from?.value).toEqual([{ name: shown, address: "ada@evergreen.test" }]);
    expect(parsed.headerLines.map((line) => line.key).filter((key) => key === "from" || key === "bcc")).toEqual([
      "from",
    ]);
  });

  it("is kept as written otherwise, quotes and Unicode included", () => {
    expect(safeDisplayName(' Zoë "Z" Ünal, 日本 ')).toBe('Zoë "Z" Ünal, 日本');
    expect(safeDisplayName(null)).toBe("");
  });
});

describe("the HTML alternative", () => {
  it("escapes everything and links only http(s) URLs", () => {
    expect(textToHtml(`<script>alert(1)</script> javascript:alert(1) "q" & 'a'`)).toBe(
      `<div style="white-space:pre-wrap">&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1) &quot;q&quot; &amp; &#39;a&#39;</div>`,
    );
    expect(textToHtml('https://x.test/"onmouseover=alert(1)')).not.toContain('"onmouseover');
  });
});

describe("Message-IDs", () => {
  it("are unique and on the sender's domain", () => {
    const a = newMessageId("ada@evergreen.test");
    expect(a).toMatch(/^<[0-9a-z]+\.[0-9a-f]{24}@evergreen\.test>$/);
    expect(newMessageId("ada@evergreen.test")).not.toBe(a);
  });
});
