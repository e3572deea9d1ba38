import { nextWindowOpening, type SendWindow } from "./merge-schedule";

/**
 * The sequence page's forecast: how many steps fall due on each of the next days, counted in the
 * sequence's own time zone, beside the share of the daily Gmail cap that bulk mail (merges and
 * sequences) may use. Pure: the page's query hands it each active enrolment's due time and window.
 */

export const FORECAST_DAYS = 7;

export type DueStep = {
  /** When the step is due by the schedule; a time already past goes at the window's next opening. */
  dueAt: Date;
  /** The window in the recipient's zone (lib/outreach/sequence-steps.ts sequenceWindowFor). */
  window: SendWindow;
};

export type LoadDay = {
  /** The calendar day in the sequence's zone, 2026-12-07. */
  day: string;
  /** "Mon 7 Dec", for the table. */
  label: string;
  count: number;
  /** More steps than bulk mail's share of the daily cap: some will wait for the next day. */
  overBudget: boolean;
};

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
function dayKey(at: number, timeZone: string): string {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter.format(at);
}

const labelFormatter = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  weekday: "short",
  day: "numeric",
  month: "short",
});

/**
 * Steps per day for `days` days from today in `timeZone`, each step at its window's next opening from
 * `now` (never before). Steps whose window never opens, or that fall after the last day, are left out.
 */
export function forecastLoad(
  steps: readonly DueStep[],
  { now, timeZone, budget, days = FORECAST_DAYS }: { now: Date; timeZone: string; budget: number; days?: number },
): LoadDay[] {
  // Calendar days, not 24-hour steps: a day of 23 or 25 hours (a DST change) is still one day.
  const [year, month, day] = dayKey(now.getTime(), timeZone).split("-").map(Number) as [number, number, number];
  const calendar = Array.from({ length: days }, (_, offset) => new Date(Date.UTC(year, month - 1, day + offset)));
  const counts = new Map(calendar.map((date) => [date.toISOString().slice(0, 10), 0]));
  for (const step of steps) {
    const opens = nextWindowOpening(Math.max(step.dueAt.getTime(), now.getTime()), step.window)?.opens;
    if (opens === undefined) continue;
    const key = dayKey(opens, timeZone);
    const count = counts.get(key);
    if (count !== undefined) counts.set(key, count + 1);
  }
  return calendar.map((date) => {
    const key = date.toISOString().slice(0, 10);
    const count = counts.get(key) ?? 0;
    return { day: key, label: labelFormatter.format(date), count, overBudget: count > budget };
  });
}
