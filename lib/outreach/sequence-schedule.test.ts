import { describe, expect, it } from "vitest";
import { insideWindow, WEEKDAYS, type SendWindow } from "./merge-schedule";
import { addDays, stepDueAt } from "./sequence-schedule";

// Paris is UTC+1 in December; Los Angeles UTC−8. 2026-12-04 is a Friday.
const paris: SendWindow = { days: WEEKDAYS, startMinute: 9 * 60, endMinute: 17 * 60, timeZone: "Europe/Paris" };
const losAngeles: SendWindow = { ...paris, timeZone: "America/Los_Angeles" };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("counting a step's delay", () => {
  it("skips the weekend in business days, and not in calendar days", () => {
    const friday10 = at("2026-12-04T09:00:00Z");
    expect(iso(addDays(friday10, { days: 1, businessDays: true }, "Europe/Paris"))).toBe("2026-12-07T09:00:00.000Z");
    expect(iso(addDays(friday10, { days: 1, businessDays: false }, "Europe/Paris"))).toBe("2026-12-05T09:00:00.000Z");
    expect(iso(addDays(at("2026-12-02T15:30:00Z"), { days: 3, businessDays: true }, "Europe/Paris"))).toBe(
      "2026-12-07T15:30:00.000Z",
    );
  });

  it("counts from the Monday after when the previous step left on a weekend", () => {
    const saturday = at("2026-12-05T12:00:00Z");
    expect(iso(addDays(saturday, { days: 1, businessDays: true }, "Europe/Paris"))).toBe("2026-12-08T12:00:00.000Z");
  });

  it("knows the weekend by the recipient's zone: Sunday night in Los Angeles is Monday morning in Paris", () => {
    const sundayNightLA = at("2026-12-07T07:30:00Z"); // Sun 23:30 in Los Angeles, Mon 08:30 in Paris
    expect(iso(addDays(sundayNightLA, { days: 1, businessDays: true }, "America/Los_Angeles"))).toBe(
      "2026-12-09T07:30:00.000Z", // counted from Monday in Los Angeles: Tuesday 23:30 there
    );
    expect(iso(addDays(sundayNightLA, { days: 1, businessDays: true }, "Europe/Paris"))).toBe(
      "2026-12-08T07:30:00.000Z", // Tuesday 08:30 in Paris
    );
  });
});

describe("when a step is due", () => {
  it("is the delay's moment when it falls inside the recipient's window", () => {
    expect(iso(stepDueAt(at("2026-12-04T09:00:00Z"), { days: 1, businessDays: true }, paris))).toBe(
      "2026-12-07T09:00:00.000Z",
    );
  });

  it("is the window's next opening otherwise, in the recipient's zone", () => {
    // Two calendar days after Friday 10:00 is a Sunday: Monday 9:00 in Paris, 9:00 in Los Angeles.
    expect(iso(stepDueAt(at("2026-12-04T09:00:00Z"), { days: 2, businessDays: false }, paris))).toBe(
      "2026-12-07T08:00:00.000Z",
    );
    expect(iso(stepDueAt(at("2026-12-04T09:00:00Z"), { days: 2, businessDays: false }, losAngeles))).toBe(
      "2026-12-07T17:00:00.000Z",
    );
  });

  it("crosses a daylight saving change and still lands inside the window", () => {
    const beforeChange = at("2026-03-27T16:30:00Z"); // Friday 17:30 in Paris, an hour before DST begins that weekend
    const due = stepDueAt(beforeChange, { days: 1, businessDays: true }, paris)!;
    expect(insideWindow(due, paris)).toBe(true);
    expect(iso(due)).toBe("2026-03-31T07:00:00.000Z"); // Monday 18:30 is after hours: Tuesday 9:00 (UTC+2)
  });

  it("is never on a weekend nor outside hours, whatever the start and the delay", () => {
    for (
      let start = at("2026-01-01T00:00:00Z");
      start < at("2026-03-01T00:00:00Z");
      start += 7 * 3_600_000 + 17 * 60_000
    )
      for (const delay of [
        { days: 0, businessDays: true },
        { days: 2, businessDays: true },
        { days: 3, businessDays: false },
      ])
        for (const window of [paris, losAngeles])
          expect(insideWindow(stepDueAt(start, delay, window)!, window)).toBe(true);
  });

  it("is undefined for a window that never opens", () => {
    expect(
      stepDueAt(at("2026-12-04T09:00:00Z"), { days: 1, businessDays: true }, { ...paris, days: 0 }),
    ).toBeUndefined();
  });
});
