import { ENCODED_WORD, HEADER_CONTROL } from "../mail/mime";
import { MERGE_FIELDS, type MergeField } from "./templates";
import type { SendWindow } from "./merge-schedule";

/**
 * Small rules shared by a merge's draft edits, its report and its feeder: what may go in a header,
 * and how a merge row's stored fallbacks and window read back.
 */

// What no database column takes: NUL (PostgreSQL) and half of a surrogate pair (Prisma).
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Why text cannot go in a header (the subject, a fallback used in it), or undefined when it can. */
export function headerTextProblem(label: string, text: string): string | undefined {
  if (HEADER_CONTROL.test(text)) return `${label} cannot contain line breaks or control characters.`;
  if (UNSTORABLE.test(text)) return `${label} contains a broken character (half of an emoji); retype it.`;
  if (ENCODED_WORD.test(text)) return `${label} cannot contain "=?…?=" encoded words; type the text itself.`;
  return undefined;
}

/** The merge's fallbacks, read from its JSON column by the fixed field list only (never by user text). */
export function fallbacksOf(value: unknown): Partial<Record<MergeField, string>> {
  const fallbacks: Partial<Record<MergeField, string>> = {};
  if (!value || typeof value !== "object") return fallbacks;
  for (const field of MERGE_FIELDS) {
    const text = Object.prototype.hasOwnProperty.call(value, field)
      ? (value as Record<string, unknown>)[field]
      : undefined;
    if (typeof text === "string" && text) fallbacks[field] = text;
  }
  return fallbacks;
}

export function windowOf(merge: {
  windowDays: number | null;
  windowStartMinute: number | null;
  windowEndMinute: number | null;
  timeZone: string;
}): SendWindow | undefined {
  if (merge.windowDays === null || merge.windowStartMinute === null || merge.windowEndMinute === null) return undefined;
  return {
    days: merge.windowDays,
    startMinute: merge.windowStartMinute,
    endMinute: merge.windowEndMinute,
    timeZone: merge.timeZone,
  };
}
