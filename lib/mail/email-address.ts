/**
 * What counts as an email address, and how typed or pasted text becomes recipients (an address with
 * the name written beside it, if any). Pure, so the compose form flags a bad recipient as it is typed
 * by the same rule the server applies (lib/mail/compose.ts).
 */

export const MAX_ADDRESS_LENGTH = 254;
export const MAX_NAME_LENGTH = 200;

/** A recipient: an address and the name shown beside it ("" when none was written). */
export type Mailbox = { name: string; address: string };

// RFC 5322 specials: a name holding one is written in quotes, so it reads back as one name.
const NEEDS_QUOTES = /[",;:<>@()[\]\\]/;
// What would start a new header line (controls, line and paragraph separators), or a half of an emoji.
const NAME_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cs}]/u;

// A practical RFC 5322 addr-spec: dot-atom local part, a domain of letters, digits and hyphens with a dot.
const ADDRESS =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** What a form says of an address that is not one: the field, what was typed, and how to write it. */
export function invalidAddressMessage(field: string, typed: string): string {
  return `${field}: “${typed.slice(0, 80)}” is not a valid email address; write it like name@example.com.`;
}

// "=?" may start an RFC 2047 encoded word, which mail clients decode even in an address (newlines included).
export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_ADDRESS_LENGTH && ADDRESS.test(value) && !value.includes("=?") && punycodeDecodes(value);
}

// An "xn--" label that is no valid punycode names no domain, and mail clients show the address without it.
function punycodeDecodes(address: string): boolean {
  const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  if (!/(^|\.)xn--/.test(domain)) return true;
  try {
    return new URL(`http://${domain}`).hostname === domain;
  } catch {
    return false;
  }
}

/**
 * A recipient as it is stored, shown and sent: `address`, `Name <address>`, or `"Last, First" <address>`
 * when the name holds a comma, a quote or another special (quotes and backslashes escaped).
 */
export function formatMailbox({ name, address }: Mailbox): string {
  if (!name) return address;
  const written = NEEDS_QUOTES.test(name) ? `"${name.replace(/["\\]/g, "\\$&")}"` : name;
  return `${written} <${address}>`;
}

/**
 * One recipient as written: `address`, `<address>`, `Name <address>` or `"Quoted, Name" <address>`;
 * the inverse of formatMailbox. It judges nothing: recipientProblem says whether the parts are valid.
 */
export function parseMailbox(text: string): Mailbox {
  const value = text.trim();
  const open = value.lastIndexOf("<");
  if (open < 0 || !value.endsWith(">")) return { name: "", address: value };
  const written = value.slice(0, open).trim();
  const quoted = /^"((?:[^"\\]|\\[\s\S])*)"$/.exec(written);
  const name = quoted ? quoted[1]!.replace(/\\([\s\S])/g, "$1") : written;
  return { name: name.trim().replace(/ {2,}/g, " "), address: value.slice(open + 1, -1).trim() };
}

/** The address of a recipient as stored (`Name <address>` or a bare address), lower-cased. */
export function recipientAddress(recipient: string): string {
  return parseMailbox(recipient).address.toLowerCase();
}

/**
 * What a form says of a recipient it cannot send to, or null when it can: the address must be one, and
 * a name must be text a mail client shows as written (no line break or control that would start a
 * header, no "=?" encoded word a client would decode, no < > that would read as another address).
 */
export function recipientProblem(field: string, typed: string): string | null {
  const { name, address } = parseMailbox(typed);
  if (!isEmailAddress(address)) return invalidAddressMessage(field, typed);
  if (name.length > MAX_NAME_LENGTH)
    return `${field}: the name of ${address} is too long; keep it under ${MAX_NAME_LENGTH} characters.`;
  if (NAME_CONTROL.test(name) || name.includes("=?") || /[<>]/.test(name))
    return `${field}: the name of ${address} cannot contain line breaks, control characters, < >, or "=?"; write it like Ada Lovelace <${address}>.`;
  return null;
}

/**
 * The recipients in a pasted or typed list, in order: separated by commas, semicolons, line breaks or
 * spaces, each written `address`, `mailto:address`, `Name <address>` or `"Last, First" <address>`; a
 * name in that form is kept (as formatMailbox writes it). Text that is not an address is kept (so the
 * form can show it as invalid) unless it is a word beside an address.
 */
export function splitAddresses(text: string): string[] {
  const found: string[] = [];
  for (const part of splitOutsideQuotes(text)) {
    const bracketed = /^([^<>]*)<([^<>]*)>$/.exec(part);
    if (bracketed) {
      const address = clean(bracketed[2]!);
      const { name } = parseMailbox(`${bracketed[1]!.trim()} <>`);
      if (address) found.push(formatMailbox({ name: cleanName(name), address }));
      continue;
    }
    const brackets = [...part.matchAll(/<([^<>]*)>/g)].map((match) => clean(match[1]!));
    if (brackets.length > 0) {
      found.push(...brackets.filter(Boolean));
      continue;
    }
    const words = part.split(/\s+/).map(clean).filter(Boolean);
    const addresses = words.filter((word) => word.includes("@"));
    found.push(...(addresses.length > 0 ? addresses : words.length > 0 ? [words.join(" ")] : []));
  }
  return found.filter(Boolean);
}

/** Adds recipients to a list, skipping any whose address it already holds (compared case-insensitively). */
export function addAddresses(list: string[], more: string[]): string[] {
  const seen = new Set(list.map(recipientAddress));
  const result = [...list];
  for (const recipient of more) {
    const key = recipientAddress(recipient);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(recipient);
  }
  return result;
}

function clean(word: string): string {
  return word
    .trim()
    .replace(/^mailto:/i, "")
    .replace(/^["'(]+|["')]+$/g, "");
}

// A name as pasted from a mail client or a spreadsheet: 'Ada' in single quotes, or runs of spaces and tabs.
function cleanName(name: string): string {
  const single = /^'(.*)'$/.exec(name);
  return (single ? single[1]! : name).replace(/[ \t]+/g, " ").trim();
}

// Commas, semicolons and line breaks separate entries, except inside "quoted names" and <brackets>.
function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let bracketed = false;
  for (const char of text) {
    if (char === '"' && !bracketed) quoted = !quoted;
    else if (char === "<" && !quoted) bracketed = true;
    else if (char === ">" && !quoted) bracketed = false;
    if (!quoted && !bracketed && /[,;\n\r]/.test(char)) {
      parts.push(current);
      current = "";
      continue;
    }
    current += char;
    if (char === ">" && !quoted) {
      // "a <x@y> b <z@w>" without commas: each bracketed address ends an entry.
      parts.push(current);
      current = "";
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}
