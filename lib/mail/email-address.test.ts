import { describe, expect, it } from "vitest";
import {
  addAddresses,
  formatMailbox,
  isEmailAddress,
  parseMailbox,
  recipientAddress,
  recipientProblem,
  splitAddresses,
} from "./email-address";

describe("splitting typed and pasted recipients", () => {
  it.each([
    ["a comma-separated list", "a@x.test, b@x.test", ["a@x.test", "b@x.test"]],
    [
      "semicolons and line breaks",
      "a@x.test;b@x.test\nc@x.test\r\nd@x.test",
      ["a@x.test", "b@x.test", "c@x.test", "d@x.test"],
    ],
    ["spaces only", "a@x.test b@x.test\tc@x.test", ["a@x.test", "b@x.test", "c@x.test"]],
    [
      "display names, kept beside their addresses",
      "Ada Lovelace <ada@x.test>, Grace <grace@x.test>",
      ["Ada Lovelace <ada@x.test>", "Grace <grace@x.test>"],
    ],
    [
      "a quoted name with a comma, kept in quotes",
      '"Lovelace, Ada" <ada@x.test>; b@x.test',
      ['"Lovelace, Ada" <ada@x.test>', "b@x.test"],
    ],
    [
      "bracketed entries without commas",
      "Ada <ada@x.test> Grace <grace@x.test>",
      ["Ada <ada@x.test>", "Grace <grace@x.test>"],
    ],
    [
      "names as mail clients paste them: single quotes, tabs and runs of spaces",
      "'Bob Smith' <bob@x.test>,\tGrace \t Hopper  <grace@x.test>, <plain@x.test>",
      ["Bob Smith <bob@x.test>", "Grace Hopper <grace@x.test>", "plain@x.test"],
    ],
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

  it("compares addresses, not names: the same address under another name is already there", () => {
    expect(addAddresses(["Ada <ada@x.test>"], ["Countess <ADA@x.test>", "ada@x.test", "Bob <bob@x.test>"])).toEqual([
      "Ada <ada@x.test>",
      "Bob <bob@x.test>",
    ]);
  });
});

describe("a recipient with a display name", () => {
  it("is written Name <address>, in quotes when the name holds a comma, a quote or another special", () => {
    expect(formatMailbox({ name: "Bob Smith", address: "bob@x.test" })).toBe("Bob Smith <bob@x.test>");
    expect(formatMailbox({ name: "", address: "bob@x.test" })).toBe("bob@x.test");
    expect(formatMailbox({ name: "Zoë Ünal", address: "z@x.test" })).toBe("Zoë Ünal <z@x.test>");
    expect(formatMailbox({ name: "Lovelace, Ada", address: "ada@x.test" })).toBe('"Lovelace, Ada" <ada@x.test>');
    expect(formatMailbox({ name: 'Bob "B" \\ Smith', address: "b@x.test" })).toBe(
      '"Bob \\"B\\" \\\\ Smith" <b@x.test>',
    );
  });

  it.each([
    ["Bob Smith", "bob@x.test"],
    ["Lovelace, Ada", "ada@x.test"],
    ['Bob "The Builder" Smith', "bob@x.test"],
    ["a\\b", "a@x.test"],
    ["x@evil.test, y@evil.test", "a@x.test"],
    ["<not@this.test>", "a@x.test"],
    ["", "a@x.test"],
  ])("reads back as written: %j <%s>", (name, address) => {
    expect(parseMailbox(formatMailbox({ name, address }))).toEqual({ name, address });
  });

  it('reads the forms people type: a bare address, <address>, Name <address>, "Name" <address>', () => {
    expect(parseMailbox(" bob@x.test ")).toEqual({ name: "", address: "bob@x.test" });
    expect(parseMailbox("<bob@x.test>")).toEqual({ name: "", address: "bob@x.test" });
    expect(parseMailbox("Bob  Smith   < bob@x.test >")).toEqual({ name: "Bob Smith", address: "bob@x.test" });
    expect(parseMailbox('"Smith, Bob" <bob@x.test>')).toEqual({ name: "Smith, Bob", address: "bob@x.test" });
    expect(recipientAddress("Bob Smith <Bob@X.test>")).toBe("bob@x.test");
  });

  it("is a valid recipient when the address is one and the name plain text", () => {
    for (const value of ["Bob Smith <bob@x.test>", '"Lovelace, Ada" <ada@x.test>', "日本語 <a@x.test>", "bob@x.test"])
      expect(recipientProblem("To", value)).toBeNull();
  });

  it.each([
    ["a line break", "Bob\r\nBcc: evil@x.test <bob@x.test>"],
    ["a Unicode line separator", "Bob\u2028Smith <bob@x.test>"],
    ["a control character", "Bob\u0000 <bob@x.test>"],
    ["an encoded word", "=?utf-8?B?DQpCY2M6IGV2aWw=?= <bob@x.test>"],
    ["another address in brackets", "<evil@x.test> <bob@x.test>"],
    ["half an emoji", "Bob \ud83d <bob@x.test>"],
  ])("is refused with a name holding %s, naming the field and the fix", (_label, value) => {
    expect(recipientProblem("Cc", value)).toMatch(
      /^Cc: the name of bob@x\.test cannot contain .*write it like Ada Lovelace <bob@x\.test>\.$/,
    );
  });

  it("is refused with a name too long to show, or an address that is not one", () => {
    expect(recipientProblem("To", `${"n".repeat(201)} <bob@x.test>`)).toBe(
      "To: the name of bob@x.test is too long; keep it under 200 characters.",
    );
    expect(recipientProblem("To", "Bob <bob@>")).toBe(
      "To: “Bob <bob@>” is not a valid email address; write it like name@example.com.",
    );
  });
});
