/**
 * CSV as RFC 4180 writes it and spreadsheets export it: a field in double quotes may hold commas, line
 * breaks and doubled quotes; lines end in CRLF or LF; a UTF-8 byte order mark is dropped. Pure, and
 * values come back exactly as written (a cell reading `=HYPERLINK(…)` stays that text).
 */

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
