import { NextRequest } from "next/server";
import { withSafeCallbackUrlParam } from "@/lib/auth-callback-url";
import { handlers } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { configuredOrigin } from "@/lib/request-guard";

// Auth.js answers 500 to a callbackUrl query it cannot parse (next-auth #5585); proxy.ts does the cookie.
function withSafeCallbackUrl(request: NextRequest): NextRequest {
  const url = withSafeCallbackUrlParam(
    request.nextUrl,
    configuredOrigin(getEnv().authUrl, request.nextUrl, request.headers.get("host")),
  );
  return url ? new NextRequest(url, request) : request;
}

export const GET = (request: NextRequest) => handlers.GET(withSafeCallbackUrl(request));
export const POST = (request: NextRequest) => handlers.POST(withSafeCallbackUrl(request));
