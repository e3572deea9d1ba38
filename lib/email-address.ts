/**
 * What counts as an email address, and how typed or pasted text becomes addresses. Pure, so the compose
 * form flags a bad address as it is typed by the same rule the server applies (lib/messages.ts).
 */

export const MAX_ADDRESS_LENGTH = 254;

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
 * The addresses in a pasted or typed list, in order: separated by commas, semicolons, line breaks or
 * spaces, each possibly written `Name <address>` or `"Last, First" <address>` or `mailto:address`.
 * Text that is not an address is kept (so the form can show it as invalid) unless it is a display
 * name beside an address.
 */
export function splitAddresses(text: string): string[] {
  const found: string[] = [];
  for (const part of splitOutsideQuotes(text)) {
    const bracketed = [...part.matchAll(/<([^<>]*)>/g)].map((match) => match[1]!.trim());
    if (bracketed.length > 0) {
      found.push(...bracketed.filter(Boolean).map(clean));
      continue;
    }
    const words = part.split(/\s+/).map(clean).filter(Boolean);
    const addresses = words.filter((word) => word.includes("@"));
    found.push(...(addresses.length > 0 ? addresses : words.length > 0 ? [words.join(" ")] : []));
  }
  return found.filter(Boolean);
}

/** Adds addresses to a list, skipping any it already holds (addresses compare case-insensitively). */
export function addAddresses(list: string[], more: string[]): string[] {
  const seen = new Set(list.map((address) => address.toLowerCase()));
  const result = [...list];
  for (const address of more) {
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(address);
  }
  return result;
}

function clean(word: string): string {
  return word
    .trim()
    .replace(/^mailto:/i, "")
    .replace(/^["'(]+|["')]+$/g, "");
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
