import { describe, expect, it } from "vitest";
import { safeCallbackPath, safeRedirect } from "./safe-redirect";

const BASE = "https://crm.example.com";

describe("after sign-in, Evergreen redirects only to its own origin", () => {
  it.each([
    ["/settings?notice=reconnected", `${BASE}/settings?notice=reconnected`],
    [`${BASE}/contacts/42`, `${BASE}/contacts/42`],
  ])("follows %s", (url, expected) => {
    expect(safeRedirect(url, BASE)).toBe(expected);
  });

  it.each(["https://evil.example.net/phish", "//evil.example.net", "/\\evil.example.net", "javascript:alert(1)", "http://crm.example.com/downgraded"])(
    "sends %s to the dashboard instead",
    (url) => {
      expect(safeRedirect(url, BASE)).toBe(`${BASE}/dashboard`);
    },
  );
});

describe("callback paths carried in a query string", () => {
  it.each([
    [undefined, "/dashboard"],
    ["/compose", "/compose"],
    ["https://evil.example.net", "/dashboard"],
    ["//evil.example.net", "/dashboard"],
    [["/outbox", "/x"], "/outbox"],
  ])("%j → %s", (value, expected) => {
    expect(safeCallbackPath(value as string | string[] | undefined)).toBe(expected);
  });
});
