import { describe, expect, it } from "vitest";
import { describeSignInError } from "./sign-in-errors";

const GENERIC = /could not complete the sign-in with Google/;

describe("the sign-in page's error message", () => {
  it("names what happened for the errors Auth.js reports to users", () => {
    expect(describeSignInError("AccessDenied")).toMatch(/^Sign-in was refused/);
    expect(describeSignInError("MissingCSRF")).toBe("The sign-in form expired. Please try again.");
  });

  it.each([
    "Configuration",
    "SomethingNew",
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    ["AccessDenied", "x"],
  ])("reads %j as the generic failure", (code) => {
    expect(describeSignInError(code)).toMatch(GENERIC);
  });

  it("shows nothing without an error", () => {
    expect(describeSignInError(undefined)).toBeUndefined();
    expect(describeSignInError("")).toBeUndefined();
  });
});
