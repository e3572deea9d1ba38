/**
 * Where to send a user after signing in or out: a path on our own origin, never anywhere else, so a
 * crafted `callbackUrl` cannot turn the sign-in into an open redirect. Decided the way browsers parse
 * URLs (WHATWG), and answered with the parsed path, so a tab, CR or LF never reaches a Location header.
 */
export const AFTER_SIGN_IN = "/dashboard";

// Only the parsed path is ever returned, so any fixed origin gives our verdict; absolute URLs are refused.
const STAND_IN_ORIGIN = "https://evergreen.invalid";

/** `url` resolved against `origin` as a browser would: its path, query and fragment if it stays there. */
export function sameOriginPath(url: string, origin: string): string | undefined {
  const target = URL.parse(url, origin);
  if (target?.origin !== origin) return undefined;
  const path = `${target.pathname}${target.search}${target.hash}`;
  // "/.//evil.example" parses to the path "//evil.example", which a browser reads as another host.
  return URL.parse(path, origin)?.origin === origin ? path : undefined;
}

/** For Auth.js's redirect callback: an absolute URL on `baseUrl`'s origin. */
export function safeRedirect(url: string, baseUrl: string): string {
  const { origin } = new URL(baseUrl);
  return `${origin}${sameOriginPath(url, origin) ?? AFTER_SIGN_IN}`;
}

/** The same rule for a path we carry in a query string (e.g. /sign-in?callbackUrl=…). */
export function safeCallbackPath(value: string | string[] | undefined): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  return (candidate && sameOriginPath(candidate, STAND_IN_ORIGIN)) || AFTER_SIGN_IN;
}
