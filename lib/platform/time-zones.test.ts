import { describe, expect, it } from "vitest";
import { HOSTILE_INPUTS } from "@/attack/hostile-inputs";
import { canonicalTimeZone, isTimeZone } from "./time-zones";

describe("canonicalTimeZone", () => {
  it("accepts IANA names as Intl spells them", () => {
    expect(canonicalTimeZone("Europe/Paris")).toBe("Europe/Paris");
    expect(canonicalTimeZone("America/New_York")).toBe("America/New_York");
    expect(canonicalTimeZone("Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(canonicalTimeZone("Etc/GMT+5")).toBe("Etc/GMT+5");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
  });

  it("spells a name in any case the way Intl does", () => {
    expect(canonicalTimeZone("europe/paris")).toBe("Europe/Paris");
    expect(canonicalTimeZone("AMERICA/NEW_YORK")).toBe("America/New_York");
    expect(canonicalTimeZone("utc")).toBe("UTC");
    // A legacy alias becomes the zone it names.
    expect(canonicalTimeZone("US/Pacific")).toBe("America/Los_Angeles");
  });

  it("refuses names Intl does not know, offsets and abbreviations that are no zone", () => {
    for (const name of ["", " ", "Europe/Pariss", "Mars/Olympus_Mons", "XST", "+01:00", "-0500", "UTC+1", "Europe/"])
      expect(canonicalTimeZone(name), name).toBeUndefined();
  });

  it("refuses untrimmed names: callers trim what a person typed", () => {
    expect(canonicalTimeZone(" Europe/Paris ")).toBeUndefined();
  });

  it("refuses every value of the hostile corpus without throwing", () => {
    for (const { value } of HOSTILE_INPUTS) expect(isTimeZone(value)).toBe(false);
  });
});
