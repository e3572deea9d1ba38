/**
 * A scheduled send as the user picks it: a date and a time in their own time zone, turned into an
 * instant by the browser, and the window it must fall in. Pure: the window comes from the caller
 * (lib/mail/compose.ts holds it; lib/mail/messages.ts checks again on the server).
 */

export type ScheduleWindow = { minMs: number; maxMs: number };

export const SCHEDULE_PROBLEM = "Schedule: pick a time from 1 minute to 30 days ahead.";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

/**
 * The instant a date input ("2026-03-14") and a time input ("09:30") name in the local time zone, or
 * null for a date the calendar does not have. A time skipped by a daylight-saving change moves forward
 * by the gap, as clocks do.
 */
export function localDateTime(date: string, time: string): Date | null {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return null;
  const [year, month, day, hours, minutes] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (hours > 23 || minutes > 59) return null;
  const instant = new Date(year, month - 1, day, hours, minutes);
  if (instant.getFullYear() !== year || instant.getMonth() !== month - 1 || instant.getDate() !== day) return null;
  return instant;
}

/** What is wrong with a picked time, in the words the form shows; null when it can be scheduled. */
export function scheduleProblem(instant: Date | null, now: Date, window: ScheduleWindow): string | null {
  if (!instant) return "Schedule: enter a date and a time.";
  const ahead = instant.getTime() - now.getTime();
  return ahead < window.minMs || ahead > window.maxMs ? SCHEDULE_PROBLEM : null;
}

const pad = (value: number) => String(value).padStart(2, "0");

/** A local date as a date input's value. */
export const dateInputValue = (date: Date) =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/** A local time as a time input's value. */
export const timeInputValue = (date: Date) => `${pad(date.getHours())}:${pad(date.getMinutes())}`;

/** What the schedule fields start with: tomorrow at 9:00, when a salesperson's email gets read. */
export function suggestedSendTime(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0);
}
