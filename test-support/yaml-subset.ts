/**
 * Reads the YAML compose.yaml is written in, and no more: block mappings and sequences, plain and quoted
 * scalars (all strings), flow sequences of scalars, comments, anchors, aliases and merge keys (`<<`).
 * Anything else throws with its line, so a new construct fails its test rather than being read wrong.
 * (No YAML package is a dependency; this keeps it so.)
 */
export type Yaml = string | null | Yaml[] | { [key: string]: Yaml };

type Line = { number: number; indent: number; text: string };

export function readYaml(source: string): Yaml {
  const lines = logicalLines(source);
  const anchors = new Map<string, Yaml>();
  let index = 0;

  const fail = (line: Line | undefined, message: string): never => {
    throw new Error(`YAML line ${line?.number ?? "end"}: ${message}`);
  };

  const scalar = (text: string, line: Line): Yaml => {
    if (text === "" || text === "~" || text === "null") return null;
    if (text.startsWith('"')) return JSON.parse(text) as string;
    if (text.startsWith("'")) {
      if (!text.endsWith("'")) fail(line, `unclosed quote in ${text}`);
      return text.slice(1, -1).replaceAll("''", "'");
    }
    if (text.startsWith("[")) return flowSequence(text, line);
    if (/^[{|>!%@`]/.test(text)) fail(line, `unsupported value ${text}`);
    return text;
  };

  const flowSequence = (text: string, line: Line): Yaml[] => {
    if (!text.endsWith("]")) fail(line, `unclosed [ in ${text}`);
    const items: string[] = [];
    let current = "";
    let quote: string | undefined;
    for (const char of text.slice(1, -1)) {
      if (quote) {
        current += char;
        if (char === quote && !current.endsWith(`\\${quote}`)) quote = undefined;
      } else if (char === '"' || char === "'") {
        quote = char;
        current += char;
      } else if (char === ",") {
        items.push(current.trim());
        current = "";
      } else current += char;
    }
    if (current.trim()) items.push(current.trim());
    return items.map((item) => scalar(item, line));
  };

  /** A value after `key:` or `- `: an alias, an anchored value, a scalar, or the block below. */
  const value = (text: string, line: Line, parentIndent: number): Yaml => {
    const anchor = /^&([\w-]+)\s*(.*)$/.exec(text);
    if (anchor) {
      const anchored = value(anchor[2]!, line, parentIndent);
      anchors.set(anchor[1]!, anchored);
      return anchored;
    }
    const alias = /^\*([\w-]+)$/.exec(text);
    if (alias) return anchors.has(alias[1]!) ? anchors.get(alias[1]!)! : fail(line, `unknown alias *${alias[1]}`);
    if (text !== "") return scalar(text, line);
    const next = lines[index];
    if (next && next.indent > parentIndent && next.text.startsWith("["))
      return flowSequence(lines[index++]!.text, next);
    if (next && (next.indent > parentIndent || (next.indent === parentIndent && next.text.startsWith("- "))))
      return block(next.indent);
    return null;
  };

  const block = (indent: number): Yaml => (lines[index]!.text.startsWith("- ") ? sequence(indent) : mapping(indent));

  const sequence = (indent: number): Yaml[] => {
    const items: Yaml[] = [];
    while (index < lines.length && lines[index]!.indent === indent && lines[index]!.text.startsWith("- ")) {
      const line = lines[index++]!;
      const text = line.text.slice(2).trim();
      if (/^[\w-]+:(\s|$)/.test(text)) fail(line, "mappings inside sequences are not supported");
      items.push(value(text, line, indent));
    }
    return items;
  };

  const mapping = (indent: number): { [key: string]: Yaml } => {
    const entries: { [key: string]: Yaml } = {};
    const merged: { [key: string]: Yaml } = {};
    while (index < lines.length && lines[index]!.indent === indent) {
      const line = lines[index++]!;
      const match = /^("[^"]*"|[^\s:"'][^:]*?):(?:\s+(.*))?$/.exec(line.text);
      if (!match) fail(line, `expected "key: value", found ${line.text}`);
      const key = match![1]!.startsWith('"') ? (JSON.parse(match![1]!) as string) : match![1]!;
      const entry = value((match![2] ?? "").trim(), line, indent);
      if (key === "<<") {
        if (!entry || typeof entry !== "object" || Array.isArray(entry)) fail(line, "<< must merge a mapping");
        Object.assign(merged, entry);
      } else if (key in entries) fail(line, `duplicate key ${key}`);
      else entries[key] = entry;
    }
    if (index < lines.length && lines[index]!.indent > indent) fail(lines[index], "unexpected indentation");
    return { ...merged, ...entries };
  };

  if (lines.length === 0) return null;
  const document = block(lines[0]!.indent);
  if (index < lines.length) fail(lines[index], "unexpected content");
  return document;
}

/** Lines without comments or blanks; a flow sequence spread over several lines becomes one. */
function logicalLines(source: string): Line[] {
  const lines: Line[] = [];
  let open: Line | undefined;
  source.split("\n").forEach((raw, at) => {
    if (raw.includes("\t")) throw new Error(`YAML line ${at + 1}: tabs are not YAML indentation`);
    const text = withoutComment(raw).trimEnd();
    if (!text.trim()) return;
    if (open) {
      open.text += (open.text.endsWith("[") ? "" : " ") + text.trim();
    } else {
      open = { number: at + 1, indent: text.length - text.trimStart().length, text: text.trim() };
      lines.push(open);
    }
    if (depthOf(open.text) === 0) open = undefined;
  });
  if (open) throw new Error(`YAML line ${open.number}: unclosed [`);
  return lines.map((line) => ({ ...line, text: line.text.replace(/,\s*\]$/, "]").replace(/\[\s+/, "[") }));
}

function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let at = 0; at < line.length; at += 1) {
    const char = line[at]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#" && (at === 0 || /\s/.test(line[at - 1]!))) return line.slice(0, at);
  }
  return line;
}

function depthOf(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "[") depth += 1;
    else if (char === "]") depth -= 1;
  }
  return depth;
}
