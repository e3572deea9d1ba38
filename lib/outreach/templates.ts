import { firstNameOf, lastNameOf } from "../crm/contact-fields";

/**
 * The merge-field language of templates: `{{ field }}` or `{{ field | fallback }}` over a fixed list of
 * fields, substituted in one left-to-right pass. No paths, no calls, no lookups by user text (such
 * engines have been the source of prototype-pollution and code-injection bugs). Pure: the compose page
 * renders templates in the browser with it, the mail merge on the server.
 */

export const MERGE_FIELDS = ["first_name", "last_name", "name", "company", "title", "email", "my_first_name"] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];
export type MergeValues = Partial<Record<MergeField, string>>;
export type FieldUse = { field: MergeField; fallback?: string };

export const MAX_FALLBACK_LENGTH = 100;
export const KNOWN_FIELDS_TEXT: string = MERGE_FIELDS.map((field) => `{{${field}}}`).join(", ");

/** Exact members only: "constructor" or "__proto__" are text, never a key looked up anywhere. */
export function isMergeField(name: string): name is MergeField {
  return (MERGE_FIELDS as readonly string[]).includes(name);
}

type Piece = { text: string } | { field: MergeField; fallback?: string };
type Parsed = { ok: true; pieces: Piece[] } | { ok: false; error: string };

// Line breaks, other controls, Unicode line separators: a field is one line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// What an error message shows of the user's text: no controls, halves of emoji or direction overrides.
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\p{Cs}]/gu;
const SNIPPET_LENGTH = 40;

/** A piece of the user's text as an error quotes it: one line, at most SNIPPET_LENGTH characters. */
function shown(text: string, { fromEnd = false } = {}): string {
  const chars = Array.from(text.replace(/\s+/g, " ").replace(UNSHOWABLE, "\ufffd"));
  if (chars.length <= SNIPPET_LENGTH) return chars.join("");
  return fromEnd
    ? `…${chars.slice(-(SNIPPET_LENGTH - 1)).join("")}`
    : `${chars.slice(0, SNIPPET_LENGTH - 1).join("")}…`;
}

const refuse = (problem: string): Parsed => ({ ok: false, error: `${problem} Known fields: ${KNOWN_FIELDS_TEXT}.` });

/** The field written between `{{` and `}}` (its inside, braces excluded), or why it is not one. */
function readField(inside: string): { ok: true; piece: Piece } | { ok: false; error: string } {
  const whole = `{{${shown(inside)}}}`;
  const bar = inside.indexOf("|");
  const namePart = bar < 0 ? inside : inside.slice(0, bar);
  const fallbackPart = bar < 0 ? "" : inside.slice(bar + 1);
  // Tabs may pad a name like spaces; a fallback goes into the message, so it takes no control at all.
  if (CONTROL.test(namePart.replace(/\t/g, " ")) || CONTROL.test(fallbackPart))
    return { ok: false, error: `Line break or control character inside ${whole}: keep a field on one line.` };
  const name = namePart.trim();
  if (name === "") return { ok: false, error: `Empty field ${whole}: put a field's name inside, like {{first_name}}.` };
  if (!isMergeField(name)) {
    const hint = isMergeField(name.toLowerCase()) ? ` (names are lower-case: {{${name.toLowerCase()}}})` : "";
    return { ok: false, error: `Unknown field ${whole}${hint}.` };
  }
  if (bar < 0) return { ok: true, piece: { field: name } };
  const fallback = fallbackPart.trim();
  if (fallback.includes("|"))
    return { ok: false, error: `Two | in ${whole}: a field has one fallback, like {{${name} | there}}.` };
  if (fallback === "")
    return {
      ok: false,
      error: `Empty fallback in ${whole}: write the text to use after the |, like {{${name} | there}}, or remove the |.`,
    };
  if (Array.from(fallback).length > MAX_FALLBACK_LENGTH)
    return {
      ok: false,
      error: `The fallback in ${whole} is too long: keep it to ${MAX_FALLBACK_LENGTH} characters or fewer.`,
    };
  return { ok: true, piece: { field: name, fallback } };
}

function parse(text: string): Parsed {
  const pieces: Piece[] = [];
  let plain = "";
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf("{{", at);
    const close = text.indexOf("}}", at);
    if (close >= 0 && (open < 0 || close < open))
      return refuse(
        `A stray }} in “${shown(text.slice(at, close + 2), { fromEnd: true })}”: start the field with {{ or remove the }}.`,
      );
    if (open < 0) {
      plain += text.slice(at);
      break;
    }
    plain += text.slice(at, open);
    if (text[open + 2] === "{")
      return refuse(`Three braces in “${shown(text.slice(open))}”: a field starts with two, like {{first_name}}.`);
    // The field ends at the first brace after `{{`: it must be the `}}` that closes it.
    let end = open + 2;
    while (end < text.length && text[end] !== "{" && text[end] !== "}") end++;
    if (end >= text.length)
      return refuse(`“${shown(text.slice(open))}” has no closing }}: end the field with }}, like {{first_name}}.`);
    if (text[end] === "{")
      return refuse(
        `Nested braces in “${shown(text.slice(open, end + 1))}”: end each field with }} before another { starts.`,
      );
    if (text[end + 1] !== "}")
      return refuse(
        `A single } in “${shown(text.slice(open, end + 1))}”: end the field with two, like {{first_name}}.`,
      );
    if (text[end + 2] === "}")
      return refuse(
        `Three braces in “${shown(text.slice(open, end + 3))}”: a field ends with two, like {{first_name}}.`,
      );
    const field = readField(text.slice(open + 2, end));
    if (!field.ok) return refuse(field.error);
    if (plain) pieces.push({ text: plain });
    plain = "";
    pieces.push(field.piece);
    at = end + 2;
  }
  if (plain) pieces.push({ text: plain });
  return { ok: true, pieces };
}

/**
 * Parses text; ok with the fields used (in order of first use, each once; fallback = first inline
 * fallback seen), or an error message that names the problem and lists the known fields.
 */
export function checkTemplateText(text: string): { ok: true; uses: FieldUse[] } | { ok: false; error: string } {
  const parsed = parse(text);
  if (!parsed.ok) return parsed;
  const uses = new Map<MergeField, FieldUse>();
  for (const piece of parsed.pieces) {
    if (!("field" in piece)) continue;
    const use = uses.get(piece.field);
    if (!use) uses.set(piece.field, piece.fallback === undefined ? { field: piece.field } : { ...piece });
    else if (use.fallback === undefined && piece.fallback !== undefined) use.fallback = piece.fallback;
  }
  return { ok: true, uses: [...uses.values()] };
}

/** A usable string from a caller's map (which may come from JSON): own, a string, not blank. */
function present(map: Partial<Record<MergeField, unknown>> | undefined, field: MergeField): string | undefined {
  if (!map || !Object.hasOwn(map, field)) return undefined;
  const value = map[field];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/**
 * Plain substitution. A field whose value is empty/whitespace uses its inline fallback
 * `{{first_name | there}}`, else `fallbacks[field]`, else "" and is listed in `missing`. Never throws on
 * text that passed checkTemplateText; on text that did not, throws an Error.
 */
export function renderTemplate(
  text: string,
  values: MergeValues,
  fallbacks?: Partial<Record<MergeField, string>>,
): { text: string; missing: MergeField[] } {
  const parsed = parse(text);
  if (!parsed.ok) throw new Error(`Not a valid template: ${parsed.error}`);
  const missing = new Set<MergeField>();
  let out = "";
  for (const piece of parsed.pieces) {
    if (!("field" in piece)) {
      out += piece.text;
      continue;
    }
    const value = present(values, piece.field) ?? piece.fallback ?? present(fallbacks, piece.field);
    if (value === undefined) missing.add(piece.field);
    out += value ?? "";
  }
  return { text: out, missing: [...missing] };
}

/**
 * The values of one contact for one sender: names as firstNameOf/lastNameOf read them, and
 * my_first_name the first word of the sender's name ("" if none).
 */
export function mergeValuesOf(
  contact: { name: string; firstName?: string | null; email: string; company: string; title: string },
  sender: { name?: string | null },
): MergeValues {
  return {
    first_name: firstNameOf(contact),
    last_name: lastNameOf(contact),
    name: contact.name.trim(),
    company: contact.company.trim(),
    title: contact.title.trim(),
    email: contact.email.trim(),
    my_first_name: firstNameOf({ name: sender.name ?? "" }),
  };
}
