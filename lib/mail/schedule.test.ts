import { describe, expect, it } from "vitest";
import { MAX_SCHEDULE_MS, MIN_SCHEDULE_MS } from "./compose";
import {
  dateInputValue,
  localDateTime,
  SCHEDULE_PROBLEM,
  scheduleProblem,
  suggestedSendTime,
  timeInputValue,
} from "./schedule";

const window = { minMs: MIN_SCHEDULE_MS, maxMs: MAX_SCHEDULE_MS };
const now = new Date(2026, 2, 14, 15, 30, 20);
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

describe("a date and a time in the user's own time zone", () => {
  it("names that local moment", () => {
    const instant = localDateTime("2026-03-15", "09:05");
    expect(instant).toEqual(new Date(2026, 2, 15, 9, 5));
    expect([dateInputValue(instant!), timeInputValue(instant!)]).toEqual(["2026-03-15", "09:05"]);
  });

  it("accepts the seconds some browsers add", () => {
    expect(localDateTime("2026-03-15", "09:05:00")).toEqual(new Date(2026, 2, 15, 9, 5));
  });

  it.each([
    ["", "09:00"],
    ["2026-03-15", ""],
    ["2026-02-30", "09:00"],
    ["2026-13-01", "09:00"],
    ["2026-03-15", "24:00"],
    ["15/03/2026", "09:00"],
  ])("is nothing for %j %j", (date, time) => {
    expect(localDateTime(date, time)).toBeNull();
  });
});

describe("the schedule window: 1 minute to 30 days ahead", () => {
  it.each([
    ["1 minute ahead", minutes(1), null],
    ["30 days ahead", minutes(30 * 24 * 60), null],
    ["in 59 seconds", new Date(now.getTime() + 59_000), SCHEDULE_PROBLEM],
    ["in the past", minutes(-5), SCHEDULE_PROBLEM],
    ["30 days and a minute ahead", minutes(30 * 24 * 60 + 1), SCHEDULE_PROBLEM],
    ["an incomplete time", null, "Schedule: enter a date and a time."],
  ])("%s", (_label, instant, problem) => {
    expect(scheduleProblem(instant, now, window)).toBe(problem);
  });

  it("suggests tomorrow at 9:00, which is inside the window", () => {
    const suggestion = suggestedSendTime(now);
    expect(suggestion).toEqual(new Date(2026, 2, 15, 9, 0));
    expect(scheduleProblem(suggestion, now, window)).toBeNull();
  });
});
