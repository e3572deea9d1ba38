import { describe, expect, it } from "vitest";
import {
  actionHostMismatch,
  allowedMethods,
  configuredOrigin,
  HSTS,
  methodNotAllowed,
  originExempt,
  refusalStatus,
  strictTransportSecurity,
} from "./request-guard";

const OURS = "http://localhost:3100";
const post = (origin: string | null, pathname = "/sign-in") => ({ method: "POST", pathname, origin });

describe("state-changing requests must come from our exact origin", () => {
  it("lets a POST from our own origin through", () => {
    expect(refusalStatus(post(OURS), OURS)).toBeUndefined();
    expect(refusalStatus({ method: "DELETE", pathname: "/api/auth/session", origin: OURS }, OURS)).toBeUndefined();
  });

  it.each([
    ["another scheme", "https://localhost:3100"],
    ["another port", "http://localhost:3101"],
    ["another host", "http://127.0.0.1:3100"],
    ["another site", "https://evil.example"],
    ["a trailing slash", `${OURS}/`],
    ["an opaque origin", "null"],
    ["an unparsable origin", "http://["],
    ["garbage", "%%%"],
    ["no Origin at all", null],
  ])("refuses a POST from %s with 403", (_, origin) => {
    expect(refusalStatus(post(origin), OURS)).toBe(403);
    expect(refusalStatus({ method: "PUT", pathname: "/api/auth/session", origin }, OURS)).toBe(403);
  });

  it.each(["GET", "HEAD", "OPTIONS"])(
    "never refuses a %s for its Origin (links, assets, Google's redirect back)",
    (method) => {
      expect(refusalStatus({ method, pathname: "/api/auth/callback/google", origin: null }, OURS)).toBeUndefined();
      expect(refusalStatus({ method, pathname: "/", origin: "http://[" }, OURS)).toBeUndefined();
    },
  );

  it("answers 400 to a path with broken percent-encoding, whatever the method", () => {
    expect(refusalStatus({ method: "GET", pathname: "/api/auth/%%%", origin: null }, OURS)).toBe(400);
    expect(refusalStatus(post(OURS, "/sign-in%ZZ"), OURS)).toBe(400);
    expect(refusalStatus({ method: "GET", pathname: "/caf%C3%A9", origin: null }, OURS)).toBeUndefined();
  });
});

describe("Google's security events need no Origin (Google's servers send none)", () => {
  const RECEIVER = "/api/google/risc";

  it.each([null, "https://evil.example"])("lets a POST to the receiver through from Origin %s", (origin) => {
    expect(refusalStatus({ method: "POST", pathname: RECEIVER, origin }, OURS)).toBeUndefined();
  });

  it.each([
    ["PUT to it", "PUT", RECEIVER],
    ["DELETE to it", "DELETE", RECEIVER],
    ["POST below it", "POST", `${RECEIVER}/x`],
    ["POST with a trailing slash", "POST", `${RECEIVER}/`],
    ["POST in another case", "POST", "/api/google/RISC"],
    ["POST to another API route", "POST", "/api/google"],
  ])("keeps the Origin rule for a %s", (_, method, pathname) => {
    expect(originExempt({ method, pathname })).toBe(false);
    expect(refusalStatus({ method, pathname, origin: null }, OURS)).toBe(403);
  });
});

describe("a one-click unsubscribe POST needs no Origin (RFC 8058: the mailbox provider sends none)", () => {
  const LINK = `/u/${"k".repeat(21)}A.${"s".repeat(42)}_`;

  it.each([null, "null", "https://evil.example", OURS])("lets a POST to a link through from Origin %s", (origin) => {
    expect(originExempt({ method: "POST", pathname: LINK })).toBe(true);
    expect(refusalStatus({ method: "POST", pathname: LINK, origin }, OURS)).toBeUndefined();
  });

  it.each(["PUT", "PATCH", "DELETE"])("still refuses a %s to a link without our Origin", (method) => {
    expect(originExempt({ method, pathname: LINK })).toBe(false);
    expect(refusalStatus({ method, pathname: LINK, origin: null }, OURS)).toBe(403);
  });

  it.each([
    ["another shape of token", "/u/x"],
    ["a key one character short", `/u/${"k".repeat(21)}.${"s".repeat(43)}`],
    ["a signature one character long", `/u/${"k".repeat(22)}.${"s".repeat(44)}`],
    ["a character outside base64url", `/u/${"k".repeat(21)}+.${"s".repeat(43)}`],
    ["a trailing slash", `${LINK}/`],
    ["a path below it", `${LINK}/x`],
    ["a percent-encoded token", `/u/${"k".repeat(22)}%2E${"s".repeat(43)}`],
    ["another prefix", `/api/u/${"k".repeat(22)}.${"s".repeat(43)}`],
    ["the prefix in another case", `/U/${"k".repeat(22)}.${"s".repeat(43)}`],
    ["a page", "/contacts"],
  ])("keeps the Origin rule for a POST to %s", (_, pathname) => {
    expect(originExempt({ method: "POST", pathname })).toBe(false);
    expect(refusalStatus({ method: "POST", pathname, origin: null }, OURS)).toBe(403);
  });

  it("keeps the other refusals on a link: broken encoding, forbidden methods", () => {
    expect(refusalStatus({ method: "TRACE", pathname: LINK, origin: null }, OURS)).toBe(405);
    expect(refusalStatus({ method: "POST", pathname: `${LINK}%ZZ`, origin: null }, OURS)).toBe(400);
  });
});

describe("methods a path never answers get 405 Method Not Allowed, never Next's 500", () => {
  const ASSET = "/_next/static/chunks/0icp2bflsp0d6.css";

  it.each(["OPTIONS", "PUT", "POST", "DELETE", "PATCH", "PROPFIND"])(
    "a static file answers %s with 405, Allow: GET, HEAD, from our origin or any other",
    (method) => {
      for (const origin of [OURS, null, "https://evil.example"])
        expect(refusalStatus({ method, pathname: ASSET, origin }, OURS)).toBe(405);
      expect(allowedMethods(ASSET)).toEqual(["GET", "HEAD"]);
    },
  );

  it("a static file still answers GET and HEAD", () => {
    for (const method of ["GET", "HEAD"])
      expect(refusalStatus({ method, pathname: ASSET, origin: null }, OURS)).toBe(undefined);
  });

  it("a static file written with percent-encoding is still a static file", () => {
    expect(methodNotAllowed("PUT", "/_next/%73tatic/chunks/a.js")).toBe(true);
    expect(refusalStatus({ method: "PUT", pathname: "/_next/static/%ZZ", origin: OURS }, OURS)).toBe(400);
  });

  it.each(["TRACE", "TRACK", "CONNECT"])("%s is 405 on every path, Allow naming what a page answers", (method) => {
    for (const pathname of ["/", "/sign-in", "/api/auth/session", ASSET]) {
      expect(methodNotAllowed(method, pathname)).toBe(true);
      expect(refusalStatus({ method, pathname, origin: OURS }, OURS)).toBe(405);
    }
    expect(allowedMethods("/sign-in")).toEqual(["GET", "HEAD", "POST"]);
  });

  it("leaves other methods on pages and routes to them (a route handler says its own Allow)", () => {
    for (const method of ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"])
      expect(methodNotAllowed(method, "/api/health")).toBe(false);
    expect(methodNotAllowed("PUT", "/_next/staticky")).toBe(false);
  });
});

describe("our origin", () => {
  const local = new URL("http://localhost:3000/settings");

  it("is AUTH_URL's when set, whatever the request says", () => {
    expect(configuredOrigin("https://crm.example.com/", local, "evil.example")).toBe("https://crm.example.com");
    expect(configuredOrigin("https://crm.example.com:443/app", local, "localhost:3000")).toBe(
      "https://crm.example.com",
    );
  });

  it("is the address the browser used without AUTH_URL (development), with the request's scheme", () => {
    expect(configuredOrigin(undefined, local, "localhost:3000")).toBe("http://localhost:3000");
    expect(configuredOrigin(undefined, local, "127.0.0.1:3000")).toBe("http://127.0.0.1:3000");
  });

  it("falls back to the request's own origin when the Host header is missing or not a host", () => {
    for (const host of [null, "", "evil.example/path", "user@evil.example", "[::1"]) {
      expect(configuredOrigin(undefined, local, host)).toBe("http://localhost:3000");
    }
  });
});

describe("Strict-Transport-Security", () => {
  it("is sent for an https app URL only", () => {
    expect(strictTransportSecurity("https://crm.example.com")).toBe(HSTS);
    expect(HSTS).toBe("max-age=63072000; includeSubDomains");
    expect(strictTransportSecurity("http://localhost:3100")).toBeUndefined();
    expect(strictTransportSecurity(undefined)).toBeUndefined();
  });
});

describe("a server action's host must be the one its Origin names", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("lets an action through when Host or X-Forwarded-Host is ours, as Next.js accepts it", () => {
    expect(actionHostMismatch(headers({ host: "localhost:3100" }), OURS)).toBe(false);
    expect(actionHostMismatch(headers({ host: "app:3000", "x-forwarded-host": "localhost:3100, edge" }), OURS)).toBe(
      false,
    );
  });

  it("refuses one whose Host and X-Forwarded-Host are both another's (Next.js would answer 500)", () => {
    expect(actionHostMismatch(headers({ host: "evil.example" }), OURS)).toBe(true);
    expect(actionHostMismatch(headers({ host: "evil.example", "x-forwarded-host": "evil.example" }), OURS)).toBe(true);
    expect(actionHostMismatch(headers({ host: "localhost:3101" }), OURS)).toBe(true);
  });
});
