/**
 * What Evergreen refuses before any route runs. Next.js checks a server action's Origin by host only
 * (so https://ours:port passes for http://ours:port) and skips the check without an Origin; Auth.js's
 * POSTs rely on its CSRF cookie alone. Browsers send Origin on every POST, so any other is forged.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/**
 * Methods the Fetch standard forbids: Next.js cannot make the web Request it hands proxy.ts of them,
 * so lib/http/forbidden-methods.ts answers them before Next.js sees them.
 */
export const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);
const STATIC_ASSETS = "/_next/static/";

export const HSTS = "max-age=63072000; includeSubDomains";

export type RequestLine = { method: string; pathname: string; origin: string | null };

/**
 * A one-click unsubscribe link, /u/<key>.<signature> (lib/outreach/unsubscribe.ts). The mailbox
 * provider POSTs to it with no Origin, cookie or other context (RFC 8058); the signed token is its
 * authority, so its POST is the one state change exempt from the Origin rule. Only the token's exact
 * shape is exempt: any other path under /u/ keeps the rule.
 */
const ONE_CLICK_UNSUBSCRIBE = /^\/u\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

/**
 * Google's security events (lib/connection/risc-receiver.ts): Google's servers POST a signed JWT with
 * no Origin or cookie; the signature is their authority. Exactly this path is exempt.
 */
const SECURITY_EVENT_RECEIVER = "/api/google/risc";

/** Whether this request needs no Origin at all: a POST to a one-click unsubscribe link or Google's security events. */
export function originExempt(request: Pick<RequestLine, "method" | "pathname">): boolean {
  if (request.method !== "POST") return false;
  return ONE_CLICK_UNSUBSCRIBE.test(request.pathname) || request.pathname === SECURITY_EVENT_RECEIVER;
}

/**
 * The origin state changes must come from: AUTH_URL's when configured, else the one the browser
 * addressed (the request's scheme with its Host header; Next's own URL always says localhost, which
 * would refuse every form posted to http://127.0.0.1:3000).
 */
export function configuredOrigin(authUrl: string | undefined, requestUrl: URL, host: string | null): string {
  if (authUrl) return new URL(authUrl).origin;
  const addressed = host ? URL.parse(`${requestUrl.protocol}//${host}`) : null;
  return addressed && !addressed.pathname.slice(1) && !addressed.username ? addressed.origin : requestUrl.origin;
}

/**
 * 400 for a path no URL encoder produces, 405 for a method the path never answers (send
 * `allowedMethods` as Allow), 403 for a state change from anywhere but `ourOrigin` (but `originExempt`).
 */
export function refusalStatus(request: RequestLine, ourOrigin: string): 400 | 403 | 405 | undefined {
  if (!isDecodable(request.pathname)) return 400;
  if (methodNotAllowed(request.method, request.pathname)) return 405;
  if (!SAFE_METHODS.has(request.method) && request.origin !== ourOrigin && !originExempt(request)) return 403;
  return undefined;
}

/**
 * What a 405's Allow header lists: a build's static file answers GET and HEAD only; a page or route
 * also POST (forms, server actions, Auth.js). Route handlers answer other methods they lack themselves.
 */
export function allowedMethods(pathname: string): string[] {
  return isStaticAsset(pathname) ? ["GET", "HEAD"] : ["GET", "HEAD", "POST"];
}

/**
 * A method no Evergreen path answers (fetch's forbidden ones), or anything but GET and HEAD for a static
 * file: Next.js answers both with a 500 (its 405 page for files is missing from an App Router build).
 * Pages and route handlers answer other methods themselves.
 */
export function methodNotAllowed(method: string, pathname: string): boolean {
  if (FORBIDDEN_METHODS.has(method)) return true;
  return isStaticAsset(pathname) && method !== "GET" && method !== "HEAD";
}

function isStaticAsset(pathname: string): boolean {
  return (isDecodable(pathname) ? decodeURIComponent(pathname) : pathname).startsWith(STATIC_ASSETS);
}

/** Sent on every response once the app's URL is https, so browsers never fall back to http. */
export function strictTransportSecurity(appUrl: string | undefined): string | undefined {
  return appUrl && new URL(appUrl).protocol === "https:" ? HSTS : undefined;
}

function isDecodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a server action's Host and X-Forwarded-Host both differ from `ourOrigin`'s host. Next.js
 * accepts an action when either equals its Origin's host (which refusalStatus already made ours), and
 * answers any other with a 500; such a request did not come from a browser on our page.
 */
export function actionHostMismatch(headers: Headers, ourOrigin: string): boolean {
  const ourHost = new URL(ourOrigin).host;
  const forwardedHost = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  return forwardedHost !== ourHost && headers.get("host") !== ourHost;
}
