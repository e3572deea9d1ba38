import { NextRequest, NextResponse } from "next/server";
import { withSafeCallbackUrlParam } from "@/lib/http/auth-callback-url";
import { handlers } from "@/lib/connection/auth";
import { getEnv } from "@/lib/platform/env";
import { configuredOrigin } from "@/lib/http/request-guard";
import { safeCallbackPath } from "@/lib/http/safe-redirect";
import { carriesSignInChecks, SIGN_IN_NOT_STARTED_HERE } from "@/lib/connection/sign-in-checks";

const ourOrigin = (request: NextRequest) =>
  configuredOrigin(getEnv().authUrl, request.nextUrl, request.headers.get("host"));

// Auth.js answers 500 to a callbackUrl query it cannot parse (next-auth #5585); proxy.ts does the cookie.
function withSafeCallbackUrl(request: NextRequest): NextRequest {
  const url = withSafeCallbackUrlParam(request.nextUrl, ourOrigin(request));
  return url ? new NextRequest(url, request) : request;
}

// Auth.js starts a provider's sign-in only from a POST carrying its CSRF token. A GET (a bookmark, a
// link in an old email) would be logged as an unknown action and shown as a failed sign-in; it gets
// the sign-in page instead, as GET /api/auth/signin does.
const PROVIDER_SIGN_IN = /^\/api\/auth\/signin\/[^/]+\/?$/;

/** 303 to Evergreen's sign-in page with these query parameters. */
function toSignInPage(request: NextRequest, params: Record<string, string>): Response {
  const page = new URL("/sign-in", ourOrigin(request));
  for (const [name, value] of Object.entries(params)) page.searchParams.set(name, value);
  return NextResponse.redirect(page, 303);
}

function startFromSignInPage(request: NextRequest): Response {
  const callbackUrl = request.nextUrl.searchParams.get("callbackUrl");
  return toSignInPage(request, callbackUrl ? { callbackUrl: safeCallbackPath(callbackUrl) } : {});
}

// A return from Google without the cookies of a sign-in started in this browser (another site's page
// loading the address, a link replayed after 15 minutes) would fail Auth.js's checks with an error in
// the log; it gets the sign-in page's "sign in again" at once (lib/connection/sign-in-checks.ts).
const CALLBACK = /^\/api\/auth\/callback\//;

export const GET = (request: NextRequest) => {
  const { pathname } = request.nextUrl;
  if (PROVIDER_SIGN_IN.test(pathname)) return startFromSignInPage(request);
  if (CALLBACK.test(pathname) && !carriesSignInChecks(request.cookies.getAll().map((cookie) => cookie.name)))
    return toSignInPage(request, { error: SIGN_IN_NOT_STARTED_HERE });
  return handlers.GET(withSafeCallbackUrl(request));
};
export const POST = (request: NextRequest) => handlers.POST(withSafeCallbackUrl(request));
// Next sends a HEAD (an uptime check, a link preview) to GET with its method kept, which Auth.js
// refuses with a 400 and an error in the log; answered as the GET is (Node drops the body).
export const HEAD = (request: NextRequest) => GET(new NextRequest(request.url, { headers: request.headers }));
