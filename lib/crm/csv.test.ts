import { describe, expect, it } from "vitest";
import { CsvError, decodeCsv, parseCsv } from "./csv";

const fields = (text: string) => parseCsv(text).map((record) => record.fields);

describe("parseCsv", () => {
  it("reads plain rows, with CRLF or LF line ends and a final line end or none", () => {
    expect(fields("name,email\r\nAda,ada@x.test\r\n")).toEqual([
      ["name", "email"],
      ["Ada", "ada@x.test"],
    ]);
    expect(fields("name,email\nAda,ada@x.test")).toEqual([
      ["name", "email"],
      ["Ada", "ada@x.test"],
    ]);
  });

  it("keeps commas, line breaks and doubled quotes inside quoted values", () => {
    const text = 'name,notes\r\n"Lovelace, Ada","Met at ""the"" Society,\r\nsecond line"\r\nGrace,plain\r\n';
    expect(parseCsv(text)).toEqual([
      { row: 1, fields: ["name", "notes"] },
      { row: 2, fields: ["Lovelace, Ada", 'Met at "the" Society,\r\nsecond line'] },
      { row: 3, fields: ["Grace", "plain"] },
    ]);
  });

  it("drops a UTF-8 byte order mark, so the first header is read by its name", () => {
    expect(fields("\uFEFFemail,name\nada@x.test,Ada")[0]).toEqual(["email", "name"]);
  });

  it("skips blank lines but counts them, as a spreadsheet numbers its rows", () => {
    expect(parseCsv("email\n\nada@x.test\r\n\r\ngrace@x.test\n\n")).toEqual([
      { row: 1, fields: ["email"] },
      { row: 3, fields: ["ada@x.test"] },
      { row: 5, fields: ["grace@x.test"] },
    ]);
  });

  it('keeps empty cells, and a quoted empty value "" is a row, not a blank line', () => {
    expect(fields('a,b,c\n,,\n""\n')).toEqual([["a", "b", "c"], ["", "", ""], [""]]);
  });

  it("keeps formula-looking and markup-looking values as the text they are", () => {
    const hostile = '=HYPERLINK("http://evil.test","click")';
    const text = `name,email\n"${hostile.replaceAll('"', '""')}",x@y.test\n+cmd|' /C calc'!A0,@SUM(1)\n<script>alert(1)</script>,-2+3`;
    expect(fields(text).slice(1)).toEqual([
      [hostile, "x@y.test"],
      ["+cmd|' /C calc'!A0", "@SUM(1)"],
      ["<script>alert(1)</script>", "-2+3"],
    ]);
  });

  it("keeps a stray quote inside an unquoted value, and text after a closing quote, as written", () => {
    expect(fields('name\n5" floppy\n"Ada" Lovelace')).toEqual([["name"], ['5" floppy'], ["Ada Lovelace"]]);
  });

  it("refuses a quote that is never closed, naming the row where it opened", () => {
    const text = 'name,email\nAda,ada@x.test\n"Grace,grace@x.test\nAlan,alan@x.test\n';
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(/Row 3: a quoted value is never closed/);
  });

  it("reads semicolon- or tab-separated files when the first line has no comma", () => {
    expect(fields("name;email\nAda;ada@x.test")).toEqual([
      ["name", "email"],
      ["Ada", "ada@x.test"],
    ]);
    expect(fields("name\temail\nAda\tada@x.test")).toEqual([
      ["name", "email"],
      ["Ada", "ada@x.test"],
    ]);
  });

  it("reads very long values whole", () => {
    const long = "x".repeat(500_000);
    expect(fields(`notes\n"${long}"`)[1]![0]).toHaveLength(500_000);
  });

  it("returns nothing for an empty text", () => {
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv("\uFEFF\r\n")).toEqual([]);
  });
});

describe("decodeCsv: a file's bytes as the spreadsheet meant them", () => {
  // "name,email\r\nZoë Müller,zoe@x.test\r\n" as each export writes it, byte for byte.
  const ROWS = "name,email\r\nZo\u00eb M\u00fcller,zoe@x.test\r\n";
  const bytes = (...values: number[]) => Uint8Array.from(values);

  it("reads UTF-8 as it is, with or without a byte order mark, and says nothing was converted", () => {
    const utf8 = Buffer.from(ROWS, "utf8");
    expect(decodeCsv(utf8)).toEqual({ text: ROWS, encoding: "UTF-8", converted: false });
    expect(decodeCsv(Buffer.concat([bytes(0xef, 0xbb, 0xbf), utf8]))).toEqual({
      text: ROWS,
      encoding: "UTF-8",
      converted: false,
    });
    expect(decodeCsv(Buffer.from("Grüße 💌 日本語", "utf8"))?.text).toBe("Grüße 💌 日本語");
  });

  it("reads Excel's plain CSV (Windows-1252): é, ü, €, and Word's curly quotes and dashes", () => {
    // Zoë Müller; “Ada” O’Brien – €5 … as Windows-1252 writes them: ë=EB, ü=FC, “=93, ”=94, ’=92, –=96, €=80, …=85.
    const file = Buffer.concat([
      Buffer.from("name,notes\r\nZo"),
      bytes(0xeb),
      Buffer.from(" M"),
      bytes(0xfc),
      Buffer.from("ller,"),
      bytes(0x93),
      Buffer.from("Ada"),
      bytes(0x94),
      Buffer.from(" O"),
      bytes(0x92),
      Buffer.from("Brien "),
      bytes(0x96),
      Buffer.from(" "),
      bytes(0x80),
      Buffer.from("5"),
      bytes(0x85),
      Buffer.from("\r\nJos"),
      bytes(0xe9),
      Buffer.from(",caf"),
      bytes(0xe9),
      Buffer.from("\r\n"),
    ]);
    const decoded = decodeCsv(file);
    expect(decoded).toMatchObject({ encoding: "Windows-1252", converted: true });
    expect(parseCsv(decoded!.text).map((record) => record.fields)).toEqual([
      ["name", "notes"],
      ["Zoë Müller", "“Ada” O’Brien – €5…"],
      ["José", "café"],
    ]);
  });

  it("maps every Windows-1252 byte from 0x80 to 0x9F as the Encoding Standard does, not as Latin-1", () => {
    const high = Array.from({ length: 32 }, (_, n) => 0x80 + n);
    expect(decodeCsv(bytes(...high))?.text).toBe("€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ");
  });

  it("reads UTF-16 with its byte order mark (Excel's Unicode Text), little- or big-endian", () => {
    const little = Buffer.concat([bytes(0xff, 0xfe), Buffer.from(ROWS, "utf16le")]);
    expect(decodeCsv(little)).toEqual({ text: ROWS, encoding: "UTF-16LE", converted: true });
    const big = Buffer.from(little);
    big.swap16();
    expect(decodeCsv(big)).toEqual({ text: ROWS, encoding: "UTF-16BE", converted: true });
  });

  it("refuses bytes that are no text: a workbook saved as .xlsx (a zip), broken UTF-16", () => {
    // The start of an .xlsx: "PK", a zip header with NUL bytes, then compressed data.
    const xlsx = bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0xb5, 0x55);
    expect(decodeCsv(xlsx)).toBeNull();
    expect(decodeCsv(bytes(0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00))).toBeNull();
  });

  it("keeps valid UTF-8 text with a NUL in a cell: that row is refused by the import, not the whole file", () => {
    expect(decodeCsv(Buffer.from("email,name\nada@x.test,A\u0000da\n"))).toMatchObject({ encoding: "UTF-8" });
  });

  it("reads an empty file as empty UTF-8 text (the import then says the CSV is empty)", () => {
    expect(decodeCsv(new Uint8Array())).toEqual({ text: "", encoding: "UTF-8", converted: false });
  });
});
