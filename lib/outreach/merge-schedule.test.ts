import { describe, expect, it } from "vitest";
import {
  describeWindow,
  forecastSends,
  insideWindow,
  MERGE_INTERVAL_MS,
  MERGE_PACE,
  mergeDailyBudget,
  nextWindowOpening,
  parseClock,
  WEEKDAYS,
  type SendWindow,
} from "./merge-schedule";

const paris: SendWindow = { days: WEEKDAYS, startMinute: 9 * 60, endMinute: 17 * 60, timeZone: "Europe/Paris" };

describe("the send window", () => {
  it("is read in the sender's time zone: 9:00 in Paris is 8:00 UTC in winter", () => {
    // Monday 7 December 2026.
    expect(insideWindow(Date.parse("2026-12-07T07:59:00Z"), paris)).toBe(false);
    expect(insideWindow(Date.parse("2026-12-07T08:00:00Z"), paris)).toBe(true);
    expect(insideWindow(Date.parse("2026-12-07T15:59:00Z"), paris)).toBe(true);
    expect(insideWindow(Date.parse("2026-12-07T16:00:00Z"), paris)).toBe(false);
  });

  it("opens next on Monday morning when asked on Friday evening, never on the weekend", () => {
    const friday = Date.parse("2026-12-11T18:00:00Z");
    expect(new Date(nextWindowOpening(friday, paris)!.opens).toISOString()).toBe("2026-12-14T08:00:00.000Z");
  });

  it("follows daylight saving time: 9:00 in Paris is 7:00 UTC in summer", () => {
    const sunday = Date.parse("2026-07-05T12:00:00Z");
    expect(new Date(nextWindowOpening(sunday, paris)!.opens).toISOString()).toBe("2026-07-06T07:00:00.000Z");
  });

  it("is the moment itself when inside, with the moment it closes", () => {
    const at = Date.parse("2026-12-07T10:00:00Z");
    expect(nextWindowOpening(at, paris)).toEqual({ opens: at, closes: Date.parse("2026-12-07T16:00:00Z") });
  });

  it("reads and describes times", () => {
    expect(parseClock("9:00")).toBe(540);
    expect(parseClock("17:30")).toBe(1050);
    expect(parseClock("25:00")).toBeUndefined();
    expect(parseClock("9")).toBeUndefined();
    expect(describeWindow(paris)).toBe("weekdays 9:00–17:00 (Europe/Paris)");
  });
});

describe("the forecast", () => {
  const from = new Date("2026-12-07T10:00:00Z");

  it("is the pace alone for a small merge: 240 messages take two minutes", () => {
    const forecast = forecastSends({ remaining: 240, from, dailyLimit: 2_000, sentInLastDay: 0 });
    expect(forecast.lastSendAt!.getTime() - from.getTime()).toBe(239 * MERGE_INTERVAL_MS);
    expect(forecast.days).toEqual([{ startsAt: from, count: 240 }]);
  });

  it("spreads over days when the daily cap, shared with one-to-one email, demands it", () => {
    const budget = mergeDailyBudget(500);
    expect(budget).toBe(450);
    const forecast = forecastSends({ remaining: 1_000, from, dailyLimit: 500, sentInLastDay: 100 });
    expect(forecast.days.map((day) => day.count)).toEqual([350, 450, 200]);
    expect(forecast.days[1]!.startsAt.getTime()).toBe(from.getTime() + 24 * 3_600_000);
  });

  it("keeps inside the window: what does not fit today's hours goes on the next working day", () => {
    const lateFriday = new Date("2026-12-11T15:58:00Z"); // 16:58 in Paris
    const forecast = forecastSends({
      remaining: 300,
      from: lateFriday,
      dailyLimit: 2_000,
      sentInLastDay: 0,
      window: paris,
    });
    expect(forecast.days[0]!.count).toBe((2 * 60_000) / MERGE_INTERVAL_MS);
    expect(forecast.days[1]!.startsAt.toISOString()).toBe("2026-12-14T08:00:00.000Z");
    expect(forecast.days.reduce((sum, day) => sum + day.count, 0)).toBe(300);
  });

  it("has nothing to forecast when nothing is left", () => {
    expect(forecastSends({ remaining: 0, from, dailyLimit: 500, sentInLastDay: 0 })).toEqual({ days: [] });
  });

  it("leaves room under Gmail's limits for one-to-one email", () => {
    expect(MERGE_PACE.sendsPerMinute).toBeLessThan(150 * 0.95);
    expect(mergeDailyBudget(2_000)).toBeLessThan(2_000 * 0.95);
  });
});
