import { describe, expect, it } from "vitest";
import { isValidException, judgeAudit, type NpmAuditReport } from "./audit-policy";

// An `npm audit --json` report (format version 2), trimmed to the fields the rule reads.
const REPORT: NpmAuditReport = {
  vulnerabilities: {
    "left-pad": {
      name: "left-pad",
      severity: "critical",
      via: [
        {
          source: 1,
          title: "Prototype pollution",
          url: "https://github.com/advisories/GHSA-aaaa",
          severity: "critical",
        },
        { source: 2, title: "Slow regex", url: "https://github.com/advisories/GHSA-bbbb", severity: "moderate" },
      ],
    },
    // Vulnerable only through left-pad: it names it, and is not a finding of its own.
    "uses-left-pad": { name: "uses-left-pad", severity: "critical", via: ["left-pad"] },
    "tiny-lib": {
      name: "tiny-lib",
      severity: "high",
      via: [{ source: 3, title: "Header injection", url: "https://github.com/advisories/GHSA-cccc", severity: "high" }],
    },
  },
};

describe("the dependency rule", () => {
  it("blocks every high or critical advisory, once, under the package it is about", () => {
    const verdict = judgeAudit(REPORT, [], "2026-11-26");
    expect(verdict).toEqual({
      kind: "checked",
      blocking: [
        {
          package: "left-pad",
          severity: "critical",
          advisory: "https://github.com/advisories/GHSA-aaaa",
          title: "Prototype pollution",
        },
        {
          package: "tiny-lib",
          severity: "high",
          advisory: "https://github.com/advisories/GHSA-cccc",
          title: "Header injection",
        },
      ],
      excepted: [],
      expired: [],
    });
  });

  it("lets a written-down exception through until its review date, then fails on the date passing", () => {
    const exception = {
      package: "tiny-lib",
      advisory: "https://github.com/advisories/GHSA-cccc",
      reason: "only reached from the emulator's dev tooling",
      revisit: "2026-12-31",
    };
    const before = judgeAudit(REPORT, [exception], "2026-11-26");
    expect(before.kind === "checked" && before.blocking.map((f) => f.package)).toEqual(["left-pad"]);
    expect(before.kind === "checked" && before.excepted.map((f) => f.package)).toEqual(["tiny-lib"]);
    const after = judgeAudit(REPORT, [exception], "2027-01-01");
    expect(after.kind === "checked" && after.expired).toEqual([exception]);
  });

  it("passes a clean report", () => {
    expect(judgeAudit({ vulnerabilities: {} }, [], "2026-11-26")).toEqual({
      kind: "checked",
      blocking: [],
      excepted: [],
      expired: [],
    });
  });

  it("says the audit is unavailable when the registry refuses it, rather than calling it clean", () => {
    const refused = { message: "405 Method Not Allowed - POST …/-/npm/v1/security/advisories/bulk", statusCode: 405 };
    expect(judgeAudit(refused, [], "2026-11-26")).toEqual({ kind: "unavailable", reason: refused.message });
  });

  it("requires every exception to give a reason and a review date", () => {
    expect(
      isValidException({
        package: "x",
        advisory: "https://github.com/advisories/GHSA-x",
        reason: "why",
        revisit: "2027-01-01",
      }),
    ).toBe(true);
    expect(
      isValidException({
        package: "x",
        advisory: "https://github.com/advisories/GHSA-x",
        reason: " ",
        revisit: "2027-01-01",
      }),
    ).toBe(false);
    expect(
      isValidException({
        package: "x",
        advisory: "https://github.com/advisories/GHSA-x",
        reason: "why",
        revisit: "soon",
      }),
    ).toBe(false);
  });
});
