import { NextResponse, type NextRequest } from "next/server";
import { callbackUrlCookiesToReplace } from "@/lib/auth-callback-url";
import { getEnv } from "@/lib/env";
import { configuredOrigin, refusalStatus, strictTransportSecurity } from "@/lib/request-guard";
import { malformedActionBodyStatus } from "@/lib/server-action-body";

/** The request boundary: refuse forged or malformed requests before Next.js or Auth.js handle them. */
export async function proxy(request: NextRequest) {
  const { authUrl } = getEnv();
  const origin = configuredOrigin(authUrl, request.nextUrl, request.headers.get("host"));
  const line = { method: request.method, pathname: request.nextUrl.pathname, origin: request.headers.get("origin") };
  const status = refusalStatus(line, origin) ?? (await malformedActionBodyStatus(request));
  const response = status ? new NextResponse(null, { status }) : forward(request, origin);
  const hsts = strictTransportSecurity(authUrl);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  return response;
}

// auth() reads the callback-url cookie on every page too (lib/auth-callback-url.ts says why it is replaced).
function forward(request: NextRequest, origin: string): NextResponse {
  const replacements = callbackUrlCookiesToReplace(request.cookies.getAll(), origin);
  if (replacements.length === 0) return NextResponse.next();
  for (const { name, value } of replacements) request.cookies.set(name, value);
  return NextResponse.next({ request: { headers: request.headers } });
}

// Every path, static assets included, so every response carries HSTS and no route escapes the guard.
export const config = { matcher: "/:path*" };
