import { describe, expect, it } from "vitest";
import { followUpSubject, sameThreadSubject, threadHeaders } from "./follow-up-rules";

describe("Gmail's thread subject rule", () => {
  it.each([
    ["Our call", "Re: Our call"],
    ["Our call", "RE:Our call"],
    ["Re: Our call", "Fwd: re: our call"],
    ["Our call", "AW: WG: Our call "],
  ])("%j and %j are one thread", (a, b) => expect(sameThreadSubject(a, b)).toBe(true));

  it.each([
    ["Our call", "Our call on Tuesday"],
    ["Our call", "Re: Re - Our call"],
    ["Our call", "Subject: Our call"],
  ])("%j and %j are not", (a, b) => expect(sameThreadSubject(a, b)).toBe(false));

  it("gives a follow-up one Re:", () => {
    expect(followUpSubject("Our call")).toBe("Re: Our call");
    expect(followUpSubject("Re: Our call")).toBe("Re: Our call");
    expect(followUpSubject("  re:Our call ")).toBe("re:Our call");
  });
});

describe("a follow-up's thread headers (RFC 5322 §3.6.4)", () => {
  it("answer the parent and carry the conversation's Message-IDs, oldest first", () => {
    expect(threadHeaders({ references: ["<a@x>", "<b@x>"], rfc822MessageId: "<c@x>" })).toEqual({
      inReplyTo: "<c@x>",
      references: ["<a@x>", "<b@x>", "<c@x>"],
    });
    expect(threadHeaders({ references: [], rfc822MessageId: "<a@x>" })).toEqual({
      inReplyTo: "<a@x>",
      references: ["<a@x>"],
    });
  });
});
