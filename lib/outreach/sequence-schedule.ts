import { nextWindowOpening, type SendWindow } from "./merge-schedule";

/**
 * When a sequence's next step is due (issue 20): N days after the previous step left, counted in the
 * recipient's time zone and by default in business days (Monday to Friday), then moved to the next
 * opening of the send window in that zone. Pure, so the feeder and the sequence page's forecast agree.
 * Groundwork: sequences themselves are not built yet.
 */

const DAY = 24 * 60 * 60_000;

export type StepDelay = { days: number; businessDays: boolean };

const weekdayFormatters = new Map<string, Intl.DateTimeFormat>();
function weekdayIn(at: number, timeZone: string): string {
  let formatter = weekdayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short" });
    weekdayFormatters.set(timeZone, formatter);
  }
  return formatter.format(at);
}

const isWeekend = (at: number, timeZone: string) => ["Sat", "Sun"].includes(weekdayIn(at, timeZone));

/**
 * `days` days after `from` (whole days of 24 hours; a DST change moves the wall clock an hour, which the
 * window then absorbs), skipping Saturdays and Sundays in `timeZone` when `businessDays`. A business-day
 * count that starts on a weekend counts from the Monday after.
 */
export function addDays(from: number, delay: StepDelay, timeZone: string): number {
  if (!delay.businessDays) return from + delay.days * DAY;
  let at = from;
  while (isWeekend(at, timeZone)) at += DAY;
  for (let counted = 0; counted < delay.days;) {
    at += DAY;
    if (!isWeekend(at, timeZone)) counted += 1;
  }
  return at;
}

/**
 * When the step after one sent at `previousSentAt` is due: the delay, then the window's next opening
 * (at once when already inside it). Undefined for a window that never opens.
 */
export function stepDueAt(previousSentAt: number, delay: StepDelay, window: SendWindow): number | undefined {
  return nextWindowOpening(addDays(previousSentAt, delay, window.timeZone), window)?.opens;
}
