import { describe, expect, it } from "vitest";
import { callbackUrlCookiesToReplace, withSafeCallbackUrlParam } from "./auth-callback-url";

const OURS = "http://localhost:3100";

describe("callback-url cookies Auth.js would answer with a 500", () => {
  it.each(["authjs.callback-url", "__Secure-authjs.callback-url"])(
    "%s is replaced by where our redirect rule sends it",
    (name) => {
      const cookies = [
        { name, value: "javascript:alert(1)" },
        { name: "authjs.session-token", value: "s" },
      ];
      expect(callbackUrlCookiesToReplace(cookies, OURS)).toEqual([{ name, value: `${OURS}/dashboard` }]);
      expect(callbackUrlCookiesToReplace([{ name, value: "x y" }], OURS)).toEqual([{ name, value: `${OURS}/x%20y` }]);
    },
  );

  it("leaves the cookie Auth.js itself set, and every other cookie, alone", () => {
    const cookies = [
      { name: "authjs.callback-url", value: `${OURS}/settings?notice=reconnected` },
      { name: "other", value: "javascript:alert(1)" },
    ];
    expect(callbackUrlCookiesToReplace(cookies, OURS)).toEqual([]);
  });
});

describe("callbackUrl in an Auth.js route's query", () => {
  it.each([
    ["x%20y", `${OURS}/x%20y`],
    ["javascript:alert(1)", `${OURS}/dashboard`],
    ["https%3A%2F%2Fevil.example", `${OURS}/dashboard`],
    ["%2F%09%2Fevil.example", `${OURS}/dashboard`],
    ["%2Fsettings", `${OURS}/settings`],
  ])("%s becomes %s", (query, expected) => {
    const url = withSafeCallbackUrlParam(new URL(`${OURS}/api/auth/csrf?callbackUrl=${query}&other=1`), OURS);
    expect(url?.searchParams.getAll("callbackUrl")).toEqual([expected]);
    expect(url?.searchParams.get("other")).toBe("1");
  });

  it("is left alone when already safe or absent", () => {
    expect(
      withSafeCallbackUrlParam(
        new URL(`${OURS}/api/auth/signin?callbackUrl=${encodeURIComponent(`${OURS}/dashboard`)}`),
        OURS,
      ),
    ).toBeUndefined();
    expect(withSafeCallbackUrlParam(new URL(`${OURS}/api/auth/session`), OURS)).toBeUndefined();
    expect(withSafeCallbackUrlParam(new URL(`${OURS}/api/auth/session?callbackUrl=`), OURS)).toBeUndefined();
  });
});
