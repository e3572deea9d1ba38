/**
 * Where to send a user after signing in or out: a path on our own origin, never anywhere else, so a
 * crafted `callbackUrl` cannot turn the sign-in into an open redirect.
 */
export const AFTER_SIGN_IN = "/dashboard";

export function safeRedirect(url: string, baseUrl: string): string {
  const base = new URL(baseUrl);
  let target: URL;
  try {
    target = new URL(url, base);
  } catch {
    return new URL(AFTER_SIGN_IN, base).toString();
  }
  if (target.origin !== base.origin || url.startsWith("//") || url.startsWith("/\\")) {
    return new URL(AFTER_SIGN_IN, base).toString();
  }
  return target.toString();
}

/** The same rule for a path we carry in a query string (e.g. /sign-in?callbackUrl=…). */
export function safeCallbackPath(value: string | string[] | undefined): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.startsWith("/\\")) return AFTER_SIGN_IN;
  return candidate;
}
