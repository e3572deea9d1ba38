import fc from "fast-check";

/**
 * Values an attacker would type into a header-bound field: ordinary text mixed with every way known to
 * end a header line early or to smuggle one in. Shared by the header-injection properties.
 */

const char = (code: number) => String.fromCharCode(code);

/** Everything a parser or a mail client might take for the end of a line. */
export const LINE_BREAKS = ["\r", "\n", "\r\n", "\n\r", "\r\r\n", "\r\n\r\n", "\u2028", "\u2029", "\u0085", "\v", "\f"];
/** C0 (tab and NUL included), DEL and C1 controls. */
export const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, code) => char(code)),
  ...Array.from({ length: 0x21 }, (_, n) => char(0x7f + n)),
];

const INJECTED = [
  "Bcc: x@evil.test",
  "bcc:x@evil.test",
  "To: x@evil.test",
  "Cc: x@evil.test, y@evil.test",
  "From: ceo@evil.test",
  "Reply-To: x@evil.test",
  "Subject: injected",
  "Content-Type: text/html",
  "Content-Disposition: attachment; filename=evil.exe",
  "X-Evil: 1",
  " folded continuation",
  "\tBcc: x@evil.test",
  "<script>alert(1)</script>",
];

// RFC 2047 words that decode to a line break and a header (or to nothing at all).
const Q_SAFE = /^[A-Za-z0-9!*+\-/]$/;
const qEncode = (text: string) =>
  [...Buffer.from(text, "utf8")]
    .map((byte) => {
      const letter = char(byte);
      if (letter === " ") return "_";
      return Q_SAFE.test(letter) ? letter : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
const encodedWord = fc
  .record({
    charset: fc.constantFrom("utf-8", "UTF-8", "iso-8859-1", "us-ascii", "utf-8*en", "windows-1252"),
    encoding: fc.constantFrom("B", "b", "Q", "q"),
    payload: fc.tuple(fc.constantFrom(...LINE_BREAKS, ""), fc.constantFrom(...INJECTED)).map(([a, b]) => a + b),
  })
  .map(({ charset, encoding, payload }) =>
    /b/i.test(encoding)
      ? `=?${charset}?${encoding}?${Buffer.from(payload, "utf8").toString("base64")}?=`
      : `=?${charset}?${encoding}?${qEncode(payload)}?=`,
  );
const brokenEncodedWords = ["=?", "?=", "=??=", "=?utf-8?", "=?utf-8?Q?", "=?utf-8?X?abc?=", "= ?utf-8?Q?a?=", "?=="];

/** Pieces that break or hide a header line. */
export const hostilePiece: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LINE_BREAKS) },
  { weight: 3, arbitrary: fc.constantFrom(...CONTROLS) },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...LINE_BREAKS), fc.constantFrom(...INJECTED)).map(([a, b]) => a + b),
  },
  { weight: 3, arbitrary: encodedWord },
  { weight: 1, arbitrary: fc.constantFrom(...brokenEncodedWords) },
);

// Characters with a meaning in headers, and Unicode that encoders and decoders have to get right.
const SPECIALS = ['"', "\\", "<", ">", ",", ";", ":", "@", "(", ")", "[", "]", "=", "?", "%", "'", "*", "_", "/", "."];
const UNICODE = [
  "Zoë",
  "日本語",
  "Grüße",
  "👩‍💻",
  "e\u0301",
  "ß",
  "İ",
  "Ω",
  "\u00a0",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\u3000",
  "\ud800",
  "\udfff",
];

/** Text a person could type: words, spaces, punctuation with a meaning in headers, any Unicode, long runs. */
export const ordinaryPiece: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
  { weight: 3, arbitrary: fc.constantFrom(" ", "  ", " ", ...SPECIALS) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("x", "ü", "x ", "日", "=", "\\"), fc.integer({ min: 40, max: 160 }))
      .map(([unit, count]) => unit.repeat(count)),
  },
);

/** Free text for a header: usually ordinary, about half the time with something hostile inside. */
export const headerText = (maxPieces = 8): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(ordinaryPiece, { maxLength: maxPieces }),
      fc.array(fc.tuple(hostilePiece, fc.nat()), { maxLength: 2 }),
    )
    .map(([pieces, hostile]) => {
      const mixed = [...pieces];
      for (const [piece, at] of hostile) mixed.splice(at % (mixed.length + 1), 0, piece);
      return mixed.join("");
    });

// ── Recipients ─────────────────────────────────────────────────────────────────────────────────

const padding = fc.constantFrom("", "", "", " ", "  ", "\t", "\u00a0", "\ufeff", "\u2028", "\r\n", "\n");
// Every character RFC 5322 allows in an unquoted local part, letters and digits most often.
const ATEXT = [
  ..."abcdefghijklmnopqrstuvwxyz0123456789",
  ..."abcdefghijklmnopqrstuvwxyz0123456789",
  ..."!#$%&'*+/=?^_`{|}~-",
];
const localPart = fc
  .array(fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 3 })
  .map((atoms) => atoms.join("."));
const label = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"),
  minLength: 1,
  maxLength: 12,
});
const domainName = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom("evergreen.test", "example.com", "mail.example.org", "xn--bcher-kva.example"),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.array(label, { minLength: 1, maxLength: 3 }),
        fc.constantFrom("com", "test", "io", "museum", "x", "c0m"),
      )
      .map(([labels, tld]) => [...labels, tld].join(".")),
  },
);
// Case flipped letter by letter, by the bits of a number.
const withCase = (text: string, bits: number) =>
  [...text].map((letter, n) => ((bits >> (n % 31)) & 1 ? letter.toUpperCase() : letter)).join("");
/** An address as a person types or pastes it: any case, maybe padded with spaces or a stray line break. */
export const plausibleAddress: fc.Arbitrary<string> = fc
  .tuple(padding, localPart, domainName, fc.integer(), padding)
  .map(([before, local, domain, bits, after]) => before + withCase(`${local}@${domain}`, bits) + after);

const hostileAddress: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(plausibleAddress, hostilePiece, fc.constantFrom("", "@evil.test", " x@evil.test"))
    .map(([address, piece, tail]) => address + piece + tail),
  fc.tuple(encodedWord, domainName).map(([word, domain]) => `${word}@${domain}`),
  fc.tuple(headerText(3), plausibleAddress).map(([name, address]) => `${name} <${address.trim()}>`),
  fc.tuple(plausibleAddress, plausibleAddress).map(([a, b]) => `${a}, ${b}`),
  fc.tuple(plausibleAddress, plausibleAddress).map(([a, b]) => `${a};${b}`),
  fc.constantFrom(
    "undisclosed-recipients:;",
    "group: a@evergreen.test, b@evergreen.test;",
    '"a b"@evergreen.test',
    '"x@evil.test"@evergreen.test',
    "a(comment)@evergreen.test",
    "a@[127.0.0.1]",
    "zoë@bücher.example",
    "a@bücher.example",
    "@evergreen.test",
    "a@",
    "a..b@evergreen.test",
    ".a@evergreen.test",
    "a@evergreen",
    "a@-evergreen.test",
    `${"a".repeat(250)}@evergreen.test`,
    "<a@evergreen.test>",
    "mailto:a@evergreen.test",
    "a@evergreen.test\u0000",
  ),
);

/** One recipient field as the compose form submits it: mostly real addresses, some hostile. */
export const recipientValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 7, arbitrary: plausibleAddress },
  { weight: 1, arbitrary: hostileAddress },
);

// ── Reply references, file names, content types ────────────────────────────────────────────────

/** In-Reply-To as a follow-up would carry it: a Message-ID, or something pretending to be one. */
export const replyReference: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(localPart, domainName).map(([left, right]) => `<${left}@${right}>`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "<CAF=3dx+Y_z-1@mail.gmail.com>",
      "<1a2b.3c4d@evergreen.test>",
      "a@evergreen.test",
      "<a@evergreen.test> <b@evergreen.test>",
      "<a b@evergreen.test>",
      "<a@evergreen.test>\r\nBcc: x@evil.test",
      "<=?utf-8?Q?=0D=0ABcc:_x@evil.test?=@evergreen.test>",
      "<a@evergreen.test",
      "<>",
      "",
      `<${"a".repeat(300)}@evergreen.test>`,
    ),
  },
  { weight: 3, arbitrary: fc.tuple(headerText(4), domainName).map(([left, right]) => `<${left}@${right}>`) },
  { weight: 1, arbitrary: headerText() },
);

/** A file's name as the browser reports it. */
export const fileName: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(headerText(5), fc.constantFrom("", ".pdf", ".txt", ".tar.gz", ".exe", ". pdf", ".", ".PDF "))
      .map(([stem, extension]) => stem + extension),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "../../etc/passwd",
      "C:\\Windows\\evil.bat",
      "-rf",
      "..",
      "a;filename=evil.exe",
      'a"; filename="evil.exe',
      "a%0D%0ABcc:%20x@evil.test.pdf",
      "a'en'b.pdf",
      "\u202egpj.exe",
    ),
  },
);

/** A file's media type as the browser reports it (it comes from the file's name on the user's machine). */
export const contentType: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "application/pdf",
      "text/plain",
      "image/png",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "Application/PDF",
      "",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom("text/plain", "image/png"), hostilePiece).map(([type, piece]) => type + piece),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "text/plain; charset=utf-8",
      "multipart/mixed; boundary=x",
      "multipart/mixed",
      "message/rfc822",
      "text/html",
    ),
  },
);

/** A file's bytes: anything, sometimes shaped like headers, a MIME boundary or a whole message. */
export const fileContent: fc.Arbitrary<Buffer> = fc
  .oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 24 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(fc.constantFrom(...INJECTED, "--x", "--x--", "\r\n\r\n", "\n"), ordinaryPiece), {
          maxLength: 6,
        })
        .map((pieces) => new TextEncoder().encode(pieces.join("\r\n"))),
    },
  )
  .map((bytes) => Buffer.from(bytes));
