import { describe, expect, it } from "vitest";
import { WEEKDAYS, type SendWindow } from "./merge-schedule";
import { forecastLoad } from "./sequence-forecast";

// 2026-12-04 is a Friday. Paris is UTC+1 in December, Tokyo UTC+9, Los Angeles UTC−8.
const paris: SendWindow = { days: WEEKDAYS, startMinute: 9 * 60, endMinute: 17 * 60, timeZone: "Europe/Paris" };
const tokyo: SendWindow = { ...paris, timeZone: "Asia/Tokyo" };
const everyDay: SendWindow = { ...paris, days: 0b1111111 };
const at = (iso: string) => new Date(iso);
const countsOf = (days: ReturnType<typeof forecastLoad>) => days.map((day) => `${day.day} ${day.count}`);

describe("the next days' load", () => {
  it("lists seven calendar days from today in the sequence's zone, labelled, empty ones included", () => {
    const days = forecastLoad([], { now: at("2026-12-04T10:00:00Z"), timeZone: "Europe/Paris", budget: 100 });
    expect(days.map((day) => day.label)).toEqual([
      "Fri 4 Dec",
      "Sat 5 Dec",
      "Sun 6 Dec",
      "Mon 7 Dec",
      "Tue 8 Dec",
      "Wed 9 Dec",
      "Thu 10 Dec",
    ]);
    expect(days.every((day) => day.count === 0 && !day.overBudget)).toBe(true);
  });

  it("starts from the sequence zone's today: late Friday in Los Angeles is Saturday in Paris", () => {
    const now = at("2026-12-05T06:00:00Z");
    expect(forecastLoad([], { now, timeZone: "America/Los_Angeles", budget: 1 })[0]!.day).toBe("2026-12-04");
    expect(forecastLoad([], { now, timeZone: "Europe/Paris", budget: 1 })[0]!.day).toBe("2026-12-05");
  });

  it("puts an overdue step and a weekend step at the window's next opening, never in the past", () => {
    const days = forecastLoad(
      [
        { dueAt: at("2026-12-01T10:00:00Z"), window: paris }, // overdue: goes today, Friday, inside the window
        { dueAt: at("2026-12-05T10:00:00Z"), window: paris }, // Saturday: goes on Monday
        { dueAt: at("2026-12-05T10:00:00Z"), window: everyDay }, // every day: goes on Saturday
        { dueAt: at("2026-12-20T10:00:00Z"), window: paris }, // after the seventh day: left out
      ],
      { now: at("2026-12-04T10:00:00Z"), timeZone: "Europe/Paris", budget: 100 },
    );
    expect(countsOf(days)).toEqual([
      "2026-12-04 1",
      "2026-12-05 1",
      "2026-12-06 0",
      "2026-12-07 1",
      "2026-12-08 0",
      "2026-12-09 0",
      "2026-12-10 0",
    ]);
  });

  it("counts a step on the sequence zone's day even when its window is in the recipient's zone", () => {
    // Monday 9:00 in Tokyo is Monday 1:00 in Paris; due Friday evening in Paris, after Tokyo's window.
    const days = forecastLoad([{ dueAt: at("2026-12-04T17:00:00Z"), window: tokyo }], {
      now: at("2026-12-04T17:00:00Z"),
      timeZone: "Europe/Paris",
      budget: 100,
    });
    expect(days.find((day) => day.count > 0)?.day).toBe("2026-12-07");
  });

  it("flags a day with more steps than bulk mail's share of the cap", () => {
    const now = at("2026-12-07T08:30:00Z");
    const steps = Array.from({ length: 3 }, () => ({ dueAt: now, window: paris }));
    const [monday] = forecastLoad(steps, { now, timeZone: "Europe/Paris", budget: 2 });
    expect(monday).toMatchObject({ count: 3, overBudget: true });
    expect(forecastLoad(steps, { now, timeZone: "Europe/Paris", budget: 3 })[0]!.overBudget).toBe(false);
  });

  it("keeps a day of 25 hours one day: the clocks go back in Paris on 25 October 2026", () => {
    const days = forecastLoad([], { now: at("2026-10-24T22:30:00Z"), timeZone: "Europe/Paris", budget: 1 });
    expect(days.map((day) => day.day)).toEqual([
      "2026-10-25",
      "2026-10-26",
      "2026-10-27",
      "2026-10-28",
      "2026-10-29",
      "2026-10-30",
      "2026-10-31",
    ]);
  });
});
