import { NextResponse, type NextRequest } from "next/server";
import { callbackUrlCookiesToReplace, REQUEST_PATH_HEADER, requestPathOf } from "@/lib/http/auth-callback-url";
import { appContentSecurityPolicy, createNonce } from "@/lib/http/content-security-policy";
import { getEnv } from "@/lib/platform/env";
import { clientAddress } from "@/lib/http/rate-limit";
import {
  actionHostMismatch,
  allowedMethods,
  configuredOrigin,
  refusalStatus,
  strictTransportSecurity,
} from "@/lib/http/request-guard";
import { limitedAttempt, refusedAttempt, tooManyRequests } from "@/lib/http/request-limits";
import { ACTION_BODY_LIMIT, ANONYMOUS_ACTION_BODY_LIMIT, inspectActionBody } from "@/lib/http/server-action-body";
import { serverActionName } from "@/lib/http/server-action-names";
import { liveSessionUserId, sessionTokenOf } from "@/lib/http/session-cookie";
import { carriesSignInChecks } from "@/lib/connection/sign-in-checks";

/** The request boundary: refuse forged or malformed requests before Next.js or Auth.js handle them. */
export async function proxy(request: NextRequest) {
  const env = getEnv();
  const { authUrl } = env;
  const origin = configuredOrigin(authUrl, request.nextUrl, request.headers.get("host"));
  const line = { method: request.method, pathname: request.nextUrl.pathname, origin: request.headers.get("origin") };
  // The session's user, looked up at most once: for a large action body's limit and for the send limit.
  let sessionUser: Promise<string | undefined> | undefined;
  const userId = () => (sessionUser ??= liveSessionUserId(sessionTokenOf(request.cookies)));
  const forged = refusalStatus(line, origin);
  const action = forged ? {} : await inspectActionBody(request, { bodyLimit: () => actionBodyLimit(request, userId) });
  // A server action comes from our exact origin even where a POST needs none (originExempt).
  const actionForged = action.actionId && (line.origin !== origin || actionHostMismatch(request.headers, origin));
  const status = forged ?? action.status ?? (actionForged ? 403 : undefined);
  const refusal = status
    ? undefined
    : await abuseLimitRefusal(request, action.actionId, userId, env.rateLimits.trustedProxyHops);
  // Next.js reads the nonce for its own scripts from the request's policy; set here, never the client's.
  const csp = appContentSecurityPolicy(env, createNonce());
  request.headers.set("Content-Security-Policy", csp);
  const response = status
    ? new NextResponse(null, {
        status,
        headers: status === 405 ? { Allow: allowedMethods(line.pathname).join(", ") } : {},
      })
    : refusal
      ? tooManyRequests(refusal, request.headers.has("next-action"))
      : forward(request, origin);
  const hsts = strictTransportSecurity(authUrl);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

type SessionUser = () => Promise<string | undefined>;

// Only a signed-in user has a reason to post more than a sign-in form (compose's attachments, a CSV);
// a small body needs no session lookup to be let through.
async function actionBodyLimit(request: NextRequest, userId: SessionUser): Promise<number> {
  const declared = Number(request.headers.get("content-length") || Infinity);
  if (declared <= ANONYMOUS_ACTION_BODY_LIMIT) return ANONYMOUS_ACTION_BODY_LIMIT;
  return (await userId()) ? ACTION_BODY_LIMIT : ANONYMOUS_ACTION_BODY_LIMIT;
}

// Sends per user and sign-in attempts per client address (lib/http/request-limits.ts).
async function abuseLimitRefusal(
  request: NextRequest,
  actionId: string | undefined,
  userId: SessionUser,
  trustedProxyHops: number,
) {
  const attempt = limitedAttempt({
    method: request.method,
    pathname: request.nextUrl.pathname,
    actionName: serverActionName(actionId ?? null),
    signInInProgress: carriesSignInChecks(request.cookies.getAll().map((cookie) => cookie.name)),
  });
  if (!attempt) return undefined;
  return refusedAttempt(attempt, {
    address: clientAddress(request.headers.get("x-forwarded-for"), trustedProxyHops),
    userId,
  });
}

// auth() reads the callback-url cookie on every page too (lib/http/auth-callback-url.ts says why it is replaced).
function forward(request: NextRequest, origin: string): NextResponse {
  const replacements = callbackUrlCookiesToReplace(request.cookies.getAll(), origin);
  for (const { name, value } of replacements) request.cookies.set(name, value);
  request.headers.set(REQUEST_PATH_HEADER, requestPathOf(request.nextUrl));
  return NextResponse.next({ request: { headers: request.headers } });
}

// Every path, static assets included, so every response carries HSTS and no route escapes the guard.
export const config = { matcher: "/:path*" };
