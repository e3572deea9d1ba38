import { safeRedirect } from "./safe-redirect";

/**
 * Auth.js checks a callbackUrl in its query or its cookie before our redirect callback runs, and
 * treats one it cannot parse ("x y", "javascript:…") as a server misconfiguration: 500 from its
 * routes, and auth() failing closed, so a planted cookie signs the user out (next-auth #5585).
 * These apply our redirect rule first, so Auth.js only ever sees a URL on our origin.
 */

// Auth.js picks one by the request's scheme; a browser may hold either.
export const CALLBACK_URL_COOKIES = ["authjs.callback-url", "__Secure-authjs.callback-url"];

type Cookie = { name: string; value: string };

/** The callback-url cookies to replace, with where our redirect callback would send them instead. */
export function callbackUrlCookiesToReplace(cookies: Cookie[], origin: string): Cookie[] {
  return cookies.flatMap(({ name, value }) => {
    if (!CALLBACK_URL_COOKIES.includes(name) || value === "") return [];
    const safe = safeRedirect(value, origin);
    return safe === value ? [] : [{ name, value: safe }];
  });
}

/** `url` with each callbackUrl replaced the same way, or undefined when every one is already safe. */
export function withSafeCallbackUrlParam(url: URL, origin: string): URL | undefined {
  const values = url.searchParams.getAll("callbackUrl");
  const safe = values.map((value) => (value === "" ? value : safeRedirect(value, origin)));
  if (safe.every((value, index) => value === values[index])) return undefined;
  const rewritten = new URL(url);
  rewritten.searchParams.delete("callbackUrl");
  for (const value of safe) rewritten.searchParams.append("callbackUrl", value);
  return rewritten;
}

/**
 * The page a request is for, set by proxy.ts on every request it forwards (a client's own value is
 * replaced), so a page that finds nobody signed in can send them to sign in and back to it.
 */
export const REQUEST_PATH_HEADER = "x-evergreen-request-path";

export function requestPathOf(url: URL): string {
  const search = new URLSearchParams(url.search);
  search.delete("_rsc");
  const query = search.toString();
  return `${url.pathname}${query ? `?${query}` : ""}`;
}
