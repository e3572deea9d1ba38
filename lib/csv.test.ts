import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "./csv";

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
