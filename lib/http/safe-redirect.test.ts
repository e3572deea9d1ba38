import { describe, expect, it } from "vitest";
import { safeCallbackPath, safeRedirect, sameOriginPath } from "./safe-redirect";

const BASE = "https://crm.example.com";

describe("after sign-in, Evergreen redirects only to its own origin", () => {
  it.each([
    ["/settings?notice=reconnected", `${BASE}/settings?notice=reconnected`],
    [`${BASE}/contacts/42`, `${BASE}/contacts/42`],
    ["/settings#events", `${BASE}/settings#events`],
  ])("follows %s", (url, expected) => {
    expect(safeRedirect(url, BASE)).toBe(expected);
  });

  it.each([
    "https://evil.example.net/phish",
    "//evil.example.net",
    "/\\evil.example.net",
    "/\t/evil.example.net",
    "/\n/evil.example.net",
    "\\/evil.example.net",
    "/.//evil.example.net",
    "/%2E//evil.example.net",
    "javascript:alert(1)",
    "http://crm.example.com/downgraded",
    "https://crm.example.com.evil.example.net/",
    "http://[",
  ])("sends %j to the dashboard instead", (url) => {
    expect(safeRedirect(url, BASE)).toBe(`${BASE}/dashboard`);
  });
});

describe("the path a browser would reach, as the Location header carries it", () => {
  it.each([
    ["/a\r\nSet-Cookie: x=1", "/aSet-Cookie:%20x=1"],
    ["/compose?to=a b#c d", "/compose?to=a%20b#c%20d"],
    ["/caf\u00e9", "/caf%C3%A9"],
    ["/a/../settings", "/settings"],
    ["settings", "/settings"],
  ])("%j → %s", (url, expected) => {
    expect(sameOriginPath(url, BASE)).toBe(expected);
  });

  it("never contains a control character, space or non-ASCII byte", () => {
    const hostile = "/\u0000\u0001\t\n\r \u007f\u0085\u2028\ud83d\ude00?\t\n\r \u007f#\t\n\r \u007f";
    expect(sameOriginPath(hostile, BASE)).toMatch(/^[\x21-\x7e]+$/);
  });
});

describe("callback paths carried in a query string", () => {
  it.each([
    [undefined, "/dashboard"],
    ["", "/dashboard"],
    ["/compose", "/compose"],
    ["/settings?notice=reconnected", "/settings?notice=reconnected"],
    ["https://evil.example.net", "/dashboard"],
    ["//evil.example.net", "/dashboard"],
    ["/\t/evil.example", "/dashboard"],
    ["/\\evil.example", "/dashboard"],
    ["/.//evil.example", "/dashboard"],
    ["/a\r\nLocation: https://evil.example", "/aLocation:%20https://evil.example"],
    [["/outbox", "/x"], "/outbox"],
  ])("%j → %s", (value, expected) => {
    expect(safeCallbackPath(value as string | string[] | undefined)).toBe(expected);
  });
});
