import { NextResponse, type NextRequest } from "next/server";
import { callbackUrlCookiesToReplace } from "@/lib/auth-callback-url";
import { appContentSecurityPolicy, createNonce } from "@/lib/content-security-policy";
import { getEnv } from "@/lib/env";
import { clientAddress } from "@/lib/rate-limit";
import { configuredOrigin, refusalStatus, strictTransportSecurity } from "@/lib/request-guard";
import { limitedAttempt, refusedAttempt, tooManyRequests } from "@/lib/request-limits";
import { malformedActionBodyStatus } from "@/lib/server-action-body";
import { serverActionName } from "@/lib/server-action-names";

/** The request boundary: refuse forged or malformed requests before Next.js or Auth.js handle them. */
export async function proxy(request: NextRequest) {
  const env = getEnv();
  const { authUrl } = env;
  const origin = configuredOrigin(authUrl, request.nextUrl, request.headers.get("host"));
  const line = { method: request.method, pathname: request.nextUrl.pathname, origin: request.headers.get("origin") };
  const status = refusalStatus(line, origin) ?? (await malformedActionBodyStatus(request));
  const refusal = status ? undefined : await abuseLimitRefusal(request, env.rateLimits.trustedProxyHops);
  // Next.js reads the nonce for its own scripts from the request's policy; set here, never the client's.
  const csp = appContentSecurityPolicy(env, createNonce());
  request.headers.set("Content-Security-Policy", csp);
  const response = status
    ? new NextResponse(null, { status })
    : refusal
      ? tooManyRequests(refusal, request.headers.has("next-action"))
      : forward(request, origin);
  const hsts = strictTransportSecurity(authUrl);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// Sends per user and sign-in attempts per client address (lib/request-limits.ts).
async function abuseLimitRefusal(request: NextRequest, trustedProxyHops: number) {
  const actionName = serverActionName(request.headers.get("next-action"));
  const attempt = limitedAttempt({ method: request.method, pathname: request.nextUrl.pathname, actionName });
  if (!attempt) return undefined;
  return refusedAttempt(attempt, {
    address: clientAddress(request.headers.get("x-forwarded-for"), trustedProxyHops),
    sessionToken: (request.cookies.get("__Secure-authjs.session-token") ?? request.cookies.get("authjs.session-token"))
      ?.value,
  });
}

// auth() reads the callback-url cookie on every page too (lib/auth-callback-url.ts says why it is replaced).
function forward(request: NextRequest, origin: string): NextResponse {
  const replacements = callbackUrlCookiesToReplace(request.cookies.getAll(), origin);
  for (const { name, value } of replacements) request.cookies.set(name, value);
  return NextResponse.next({ request: { headers: request.headers } });
}

// Every path, static assets included, so every response carries HSTS and no route escapes the guard.
export const config = { matcher: "/:path*" };
