/**
 * CSV as RFC 4180 writes it and spreadsheets export it: a field in double quotes may hold commas, line
 * breaks and doubled quotes; lines end in CRLF or LF; a UTF-8 byte order mark is dropped. Pure, and
 * values come back exactly as written (a cell reading `=HYPERLINK(…)` stays that text). A file's bytes
 * become text by decodeCsv: UTF-8, UTF-16 with its byte order mark, or Excel's plain "CSV" (Windows-1252).
 */

export const CSV_ENCODINGS = ["UTF-8", "UTF-16LE", "UTF-16BE", "Windows-1252"] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

export type DecodedCsv = {
  text: string;
  encoding: CsvEncoding;
  /** The bytes were not UTF-8: the text is a conversion, which the preview says. */
  converted: boolean;
};

// Windows-1252's 0x80–0x9F, as the WHATWG Encoding Standard maps them (the five unassigned bytes to
// the C1 code points). Node 20's TextDecoder("windows-1252") decodes these as Latin-1's C1 controls,
// so "€" and Word's curly quotes would be lost; every other byte is its own code point in both.
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes)
    text += String.fromCharCode(byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80]! : byte);
  return text;
}

const strictDecode = (label: string, bytes: Uint8Array): string | null => {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
};

/**
 * A CSV file's text: UTF-16 when it starts with a UTF-16 byte order mark (Excel's "Unicode Text"),
 * UTF-8 (with or without a byte order mark) whenever the bytes are valid UTF-8, and otherwise
 * Windows-1252, which is what Excel's plain "CSV" writes on Western-language Windows. Null for bytes
 * that are no text file (not UTF-8 and holding a NUL: a workbook, an image) or broken UTF-16.
 */
export function decodeCsv(bytes: Uint8Array): DecodedCsv | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(strictDecode("utf-16le", bytes), "UTF-16LE");
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(strictDecode("utf-16be", bytes), "UTF-16BE");
  const utf8 = strictDecode("utf-8", bytes);
  if (utf8 !== null) return { text: utf8, encoding: "UTF-8", converted: false };
  if (bytes.includes(0)) return null;
  return { text: decodeWindows1252(bytes), encoding: "Windows-1252", converted: true };
}

function utf16(text: string | null, encoding: CsvEncoding): DecodedCsv | null {
  return text === null || text.includes("\u0000") ? null : { text, encoding, converted: true };
}

export class CsvError extends Error {
  constructor(
    message: string,
    /** The spreadsheet row (1 = the first line) where the problem starts. */
    readonly row: number,
  ) {
    super(message);
    this.name = "CsvError";
  }
}

export type CsvRecord = {
  /** The row a spreadsheet shows it on: records counted from 1, blank lines included. */
  row: number;
  fields: string[];
};

/**
 * The records of a CSV text, blank lines left out. A semicolon or a tab separates fields instead of a
 * comma when the first line has one and no comma (some spreadsheets export that way). Throws CsvError
 * for a quote that is never closed, which would otherwise swallow the rest of the file.
 */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const delimiter = detectDelimiter(input);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  // Whether the current field / record had quotes: `""` is an empty value, not a blank line.
  let fieldQuoted = false;
  let recordQuoted = false;
  let row = 1;
  let openedAt = 1;

  const endField = () => {
    fields.push(field);
    field = "";
    fieldQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (fields.length > 1 || fields[0] !== "" || recordQuoted) records.push({ row, fields });
    row += 1;
    fields = [];
    recordQuoted = false;
  };

  for (let i = 0; i < input.length; i += 1) {
    const char = input[i]!;
    if (inQuotes) {
      if (char !== '"') field += char;
      else if (input[i + 1] === '"') {
        field += '"';
        i += 1;
      } else inQuotes = false;
    } else if (char === '"' && field === "" && !fieldQuoted) {
      inQuotes = fieldQuoted = recordQuoted = true;
      openedAt = row;
    } else if (char === delimiter) {
      endField();
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && input[i + 1] === "\n") i += 1;
      endRecord();
    } else {
      // A stray quote inside an unquoted value, or text after a closing quote, is kept as written.
      field += char;
    }
  }
  if (inQuotes) {
    throw new CsvError(
      `Row ${openedAt}: a quoted value is never closed. Add the missing " (inside a quoted value, write "" for one ").`,
      openedAt,
    );
  }
  if (field !== "" || fields.length > 0 || fieldQuoted) endRecord();
  return records;
}

function detectDelimiter(text: string): string {
  const end = text.search(/[\r\n]/);
  const firstLine = end === -1 ? text : text.slice(0, end);
  if (firstLine.includes(",")) return ",";
  if (firstLine.includes(";")) return ";";
  if (firstLine.includes("\t")) return "\t";
  return ",";
}
