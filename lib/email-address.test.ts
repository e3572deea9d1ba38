import { describe, expect, it } from "vitest";
import { addAddresses, isEmailAddress, splitAddresses } from "./email-address";

describe("splitting typed and pasted recipients", () => {
  it.each([
    ["a comma-separated list", "a@x.test, b@x.test", ["a@x.test", "b@x.test"]],
    [
      "semicolons and line breaks",
      "a@x.test;b@x.test\nc@x.test\r\nd@x.test",
      ["a@x.test", "b@x.test", "c@x.test", "d@x.test"],
    ],
    ["spaces only", "a@x.test b@x.test\tc@x.test", ["a@x.test", "b@x.test", "c@x.test"]],
    ["display names", "Ada Lovelace <ada@x.test>, Grace <grace@x.test>", ["ada@x.test", "grace@x.test"]],
    ["a quoted name with a comma", '"Lovelace, Ada" <ada@x.test>; b@x.test', ["ada@x.test", "b@x.test"]],
    ["bracketed entries without commas", "Ada <ada@x.test> Grace <grace@x.test>", ["ada@x.test", "grace@x.test"]],
    ["mailto links and stray quotes", "mailto:ada@x.test, 'b@x.test'", ["ada@x.test", "b@x.test"]],
    ["a name beside an address", "Ada ada@x.test", ["ada@x.test"]],
    ["empty entries", " , ;\n,", []],
  ])("%s", (_label, text, expected) => {
    expect(splitAddresses(text)).toEqual(expected);
  });

  it("keeps text that is not an address, so it can be shown as invalid", () => {
    expect(splitAddresses("grace@, someone")).toEqual(["grace@", "someone"]);
  });
});

describe("what an address is", () => {
  it.each(["grace@evergreen.test", "x.y+tag@sub.example.org", "o'neil@example.ie", "anna@xn--bcher-kva.example"])(
    "accepts %s",
    (value) => {
      expect(isEmailAddress(value)).toBe(true);
    },
  );

  it.each([
    "grace@",
    "@x.test",
    "grace",
    "a b@x.test",
    "a@x",
    "a..b@x.test",
    `${"a".repeat(250)}@x.test`,
    // Legal RFC 5322 atext, but mail clients decode it as an RFC 2047 word (found by attack/header-injection).
    "=?utf-8?b?DQpCY2M6IGV2aWxAZXZpbC50ZXN0?=@x.test",
    // Punycode that decodes to nothing: clients show it as "a@" (found by the heavy header-injection run).
    "a@xn--a.a.com",
    "a@xn--abc.example.com",
  ])("refuses %j", (value) => {
    expect(isEmailAddress(value)).toBe(false);
  });
});

describe("adding recipients", () => {
  it("skips addresses already there, whatever their case", () => {
    expect(addAddresses(["Ada@x.test"], ["ada@x.test", "b@x.test", "B@x.test"])).toEqual(["Ada@x.test", "b@x.test"]);
  });
});
