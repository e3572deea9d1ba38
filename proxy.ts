import { NextResponse, type NextRequest } from "next/server";
import { callbackUrlCookiesToReplace } from "@/lib/auth-callback-url";
import { appContentSecurityPolicy, createNonce } from "@/lib/content-security-policy";
import { getEnv } from "@/lib/env";
import { configuredOrigin, refusalStatus, strictTransportSecurity } from "@/lib/request-guard";
import { malformedActionBodyStatus } from "@/lib/server-action-body";

/** The request boundary: refuse forged or malformed requests before Next.js or Auth.js handle them. */
export async function proxy(request: NextRequest) {
  const env = getEnv();
  const { authUrl } = env;
  const origin = configuredOrigin(authUrl, request.nextUrl, request.headers.get("host"));
  const line = { method: request.method, pathname: request.nextUrl.pathname, origin: request.headers.get("origin") };
  const status = refusalStatus(line, origin) ?? (await malformedActionBodyStatus(request));
  // Next.js reads the nonce for its own scripts from the request's policy; set here, never the client's.
  const csp = appContentSecurityPolicy(env, createNonce());
  request.headers.set("Content-Security-Policy", csp);
  const response = status ? new NextResponse(null, { status }) : forward(request, origin);
  const hsts = strictTransportSecurity(authUrl);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// auth() reads the callback-url cookie on every page too (lib/auth-callback-url.ts says why it is replaced).
function forward(request: NextRequest, origin: string): NextResponse {
  const replacements = callbackUrlCookiesToReplace(request.cookies.getAll(), origin);
  for (const { name, value } of replacements) request.cookies.set(name, value);
  return NextResponse.next({ request: { headers: request.headers } });
}

// Every path, static assets included, so every response carries HSTS and no route escapes the guard.
export const config = { matcher: "/:path*" };
