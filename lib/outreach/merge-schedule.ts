/**
 * When a merge may send, and when its last message will go out: the send window (weekdays 9:00–17:00
 * in the sender's time zone), the merge's pace, and the account's daily cap shared with one-to-one
 * email. Pure: the feeder (merge-feeder.ts) and the merge page's forecast read the same rules.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A merge's share of the account's pace. Gmail allows about 150 sends a minute per user and the outbox
 * holds at 95% of that (lib/mail/pacing.ts); a merge keeps to 120, so a one-to-one email the user
 * sends during a merge always finds room and is never held behind it. Likewise with the daily cap: a
 * merge stops 5% short of the outbox's own hold, and that room is kept for one-to-one email.
 */
export const MERGE_PACE = {
  sendsPerMinute: 120,
  /** The share of the daily cap (after the outbox's 95% hold) that merges leave for one-to-one email. */
  dailyReserve: 0.05,
  /** How far ahead of its time the feeder hands a message to the outbox. */
  leadMs: 1_000,
} as const;

export const MERGE_INTERVAL_MS = MINUTE / MERGE_PACE.sendsPerMinute;

/** Sends a day that merges may use: the outbox's 95% hold, less the room kept for one-to-one email. */
export function mergeDailyBudget(dailyLimit: number): number {
  return Math.floor(dailyLimit * 0.95) - Math.ceil(dailyLimit * MERGE_PACE.dailyReserve);
}

/** A weekly window: days as a bitmask (bit 0 Sunday … bit 6 Saturday), minutes after local midnight. */
export type SendWindow = { days: number; startMinute: number; endMinute: number; timeZone: string };

export const WEEKDAYS = 0b0111110;
export const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

type LocalParts = { year: number; month: number; day: number; weekday: number; minute: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function localParts(at: number, timeZone: string): LocalParts & { second: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_INDEX[parts.weekday!] ?? 0,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The instant a local wall-clock time happens in a zone (the later one in a DST gap, the first in an overlap). */
function instantOf(year: number, month: number, day: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minute);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const local = localParts(guess, timeZone);
    const seen = Date.UTC(local.year, local.month - 1, local.day, 0, local.minute, local.second);
    const next = guess + (wall - seen);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

/** True when `at` falls inside the window. */
export function insideWindow(at: number, window: SendWindow): boolean {
  const local = localParts(at, window.timeZone);
  return (
    (window.days & (1 << local.weekday)) !== 0 && local.minute >= window.startMinute && local.minute < window.endMinute
  );
}

/**
 * The window's next opening at or after `at` (`at` itself when inside), and when that stretch closes.
 * Undefined for a window with no day or no minutes.
 */
export function nextWindowOpening(at: number, window: SendWindow): { opens: number; closes: number } | undefined {
  if (window.days === 0 || window.endMinute <= window.startMinute) return undefined;
  for (let offset = 0; offset <= 8; offset++) {
    const local = localParts(at + offset * DAY, window.timeZone);
    if ((window.days & (1 << local.weekday)) === 0) continue;
    const opens = instantOf(local.year, local.month, local.day, window.startMinute, window.timeZone);
    const closes = instantOf(local.year, local.month, local.day, window.endMinute, window.timeZone);
    if (closes <= at) continue;
    return { opens: Math.max(opens, at), closes };
  }
  return undefined;
}

export type Forecast = {
  /** When the last message is expected to leave (undefined when nothing is left to send). */
  lastSendAt?: Date;
  /** Sends per day, in the order they happen (a merge that the cap or window spreads over days). */
  days: Array<{ startsAt: Date; count: number }>;
};

/**
 * When `remaining` messages will have gone out, from `from`: at the merge's pace, inside the window,
 * and within the day's budget (what the account already sent in the last 24 hours counts against
 * it, and frees a day after it left).
 */
export function forecastSends({
  remaining,
  from,
  dailyLimit,
  sentInLastDay,
  window,
}: {
  remaining: number;
  from: Date;
  dailyLimit: number;
  sentInLastDay: number;
  window?: SendWindow;
}): Forecast {
  const budget = Math.max(1, mergeDailyBudget(dailyLimit));
  const days: Forecast["days"] = [];
  let left = remaining;
  let at = from.getTime();
  // Sends of one rolling day: the first batch shares it with what already went out.
  let batchStart = at;
  let budgetLeft = Math.max(0, budget - sentInLastDay);
  let last: number | undefined;
  for (let guard = 0; left > 0 && guard < 10_000; guard++) {
    if (budgetLeft === 0) {
      at = Math.max(at, batchStart + DAY);
      batchStart = at;
      budgetLeft = budget;
    }
    let closes = Number.POSITIVE_INFINITY;
    if (window) {
      const stretch = nextWindowOpening(at, window);
      if (!stretch) return { days };
      at = stretch.opens;
      closes = stretch.closes;
    }
    const fits = Number.isFinite(closes) ? Math.max(1, Math.ceil((closes - at) / MERGE_INTERVAL_MS)) : left;
    const count = Math.min(left, budgetLeft, fits);
    last = at + (count - 1) * MERGE_INTERVAL_MS;
    const previous = days.at(-1);
    if (previous && sameDay(previous.startsAt.getTime(), at, window?.timeZone)) previous.count += count;
    else days.push({ startsAt: new Date(at), count });
    left -= count;
    budgetLeft -= count;
    at = last + MERGE_INTERVAL_MS;
  }
  return { lastSendAt: last === undefined ? undefined : new Date(last), days };
}

function sameDay(a: number, b: number, timeZone = "UTC"): boolean {
  const x = localParts(a, timeZone);
  const y = localParts(b, timeZone);
  return x.year === y.year && x.month === y.month && x.day === y.day;
}

/** "weekdays 9:00–17:00 (Europe/Paris)", for the merge page. */
export function describeWindow(window: SendWindow): string {
  const days =
    window.days === WEEKDAYS
      ? "weekdays"
      : window.days === 0b1111111
        ? "every day"
        : DAY_NAMES.filter((_, index) => window.days & (1 << index)).join(", ");
  return `${days} ${clock(window.startMinute)}–${clock(window.endMinute)} (${window.timeZone})`;
}

export function clock(minute: number): string {
  return `${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, "0")}`;
}

/** "09:30" → 570; undefined for anything else. "24:00" is the end of the day. */
export function parseClock(text: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const minute = Number(match[1]) * 60 + Number(match[2]);
  return Number(match[2]) < 60 && minute <= 24 * 60 ? minute : undefined;
}
