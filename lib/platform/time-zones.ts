/**
 * IANA time zone names, checked against the runtime's own zone database (Intl): a merge's send window
 * and a contact's time zone use the same rule.
 */

// Newer runtimes also accept offsets like "+01:00"; those follow no place's daylight saving, so a name only.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** The zone as Intl spells it ("europe/paris" → "Europe/Paris"), or undefined for a name Intl does not know. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length > 64 || !ZONE_NAME.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) !== undefined;
}
