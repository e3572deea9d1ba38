import { randomBytes } from "node:crypto";
import type { Env } from "../platform/env";
import { googleEndpoints } from "../google/oauth";

/**
 * Evergreen's Content-Security-Policy. Scripts run only with the request's nonce (Next.js puts it on
 * its own scripts when proxy.ts passes the policy in the request headers) or when such a script loads
 * them ('strict-dynamic'); 'self' is only a fallback for browsers without CSP 3, which ignore it here.
 */
export type PolicyOptions = {
  nonce: string;
  /** `next dev` evaluates code for its overlay and injects styles inline; production never does. */
  development: boolean;
  /** The app's public URL is https: mixed content is upgraded rather than blocked. */
  https: boolean;
  /** Origins a form may end up on: a form posted here may be redirected to Google's sign-in. */
  formTargets: string[];
};

export function contentSecurityPolicy({ nonce, development, https, formTargets }: PolicyOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    ["style-src", "'self'", ...(development ? ["'unsafe-inline'"] : [])],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'", ...formTargets],
    ["frame-ancestors", "'none'"],
    ...(https ? [["upgrade-insecure-requests"] as [string]] : []),
  ];
  return directives.map((directive) => directive.join(" ")).join("; ");
}

/** The policy for one response of this deployment. */
export function appContentSecurityPolicy(env: Pick<Env, "nodeEnv" | "authUrl" | "google">, nonce: string): string {
  return contentSecurityPolicy({
    nonce,
    development: env.nodeEnv === "development",
    https: env.authUrl !== undefined && new URL(env.authUrl).protocol === "https:",
    formTargets: [new URL(googleEndpoints(env.google.baseUrl).authorization).origin],
  });
}

/** 128 random bits, fresh for every request, in the base64 Next.js reads back from the policy. */
export function createNonce(): string {
  return randomBytes(16).toString("base64");
}
