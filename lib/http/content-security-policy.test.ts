import { describe, expect, it } from "vitest";
import { appContentSecurityPolicy, contentSecurityPolicy, createNonce } from "./content-security-policy";

/** The policy as a map of directive → its sources, as a browser splits it. */
function parse(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((directive) => {
      const [name = "", ...sources] = directive.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

const production = { nodeEnv: "production" as const, authUrl: "https://crm.example.com", google: {} as never };

describe("the Content-Security-Policy of a production server", () => {
  const policy = parse(appContentSecurityPolicy(production, "bm9uY2Utb2YtdGVzdA=="));

  it("runs only scripts carrying this response's nonce, and what they load", () => {
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-bm9uY2Utb2YtdGVzdA=='", "'strict-dynamic'"]);
  });

  it("never allows inline code, eval, or inline styles", () => {
    for (const sources of policy.values()) {
      expect(sources).not.toContain("'unsafe-inline'");
      expect(sources).not.toContain("'unsafe-eval'");
      expect(sources).not.toContain("*");
    }
    expect(policy.get("style-src")).toEqual(["'self'"]);
  });

  it("loads everything else from Evergreen itself, plugins and <base> never", () => {
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("connect-src")).toEqual(["'self'"]);
    expect(policy.get("font-src")).toEqual(["'self'"]);
    expect(policy.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
  });

  it("lets no site frame Evergreen", () => {
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("lets forms end on Evergreen or on Google's sign-in, where the sign-in form is redirected", () => {
    expect(policy.get("form-action")).toEqual(["'self'", "https://accounts.google.com"]);
    const emulated = parse(
      appContentSecurityPolicy({ ...production, google: { baseUrl: "http://127.0.0.1:4010" } as never }, "bm9uY2U="),
    );
    expect(emulated.get("form-action")).toEqual(["'self'", "http://127.0.0.1:4010"]);
  });

  it("upgrades insecure requests only when Evergreen is served over https", () => {
    expect(policy.has("upgrade-insecure-requests")).toBe(true);
    const plain = parse(appContentSecurityPolicy({ ...production, authUrl: "http://localhost:3100" }, "bm9uY2U="));
    expect(plain.has("upgrade-insecure-requests")).toBe(false);
    expect(parse(appContentSecurityPolicy({ ...production, authUrl: undefined }, "bm9uY2U=")).size).toBe(plain.size);
  });
});

describe("next dev", () => {
  it("may evaluate code and inject styles for its error overlay; scripts still need the nonce", () => {
    const policy = parse(
      contentSecurityPolicy({ nonce: "bm9uY2U=", development: true, https: false, formTargets: [] }),
    );
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'", "'unsafe-eval'"]);
    expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
    expect(policy.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
  });
});

describe("nonces", () => {
  it("are 128 random bits, different on every request", () => {
    const nonces = Array.from({ length: 1000 }, createNonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });

  it("are in the form Next.js reads back from the policy to put on its scripts", async () => {
    const { getScriptNonceFromHeader } = await import("next/dist/server/app-render/get-script-nonce-from-header");
    const nonce = createNonce();
    expect(getScriptNonceFromHeader(appContentSecurityPolicy(production, nonce))).toBe(nonce);
  });
});
