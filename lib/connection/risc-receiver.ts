import { receiveSecurityEvent } from "./risc";
import { readLimitedBody } from "../http/limited-body";
import { clientAddress, consumeRateLimit, type RateLimitRule } from "../http/rate-limit";
import {
  createSetVerifier,
  isCompactJws,
  RiscKeysUnavailableError,
  type SetRefusal,
  type SetVerifier,
} from "../google/risc";
import { googleEndpoints } from "../google/oauth";
import { appDeps, type AppDeps } from "../platform/deps";
import { getEnv, type Env } from "../platform/env";

/**
 * What POST /api/google/risc answers (RFC 8935 §2.2–2.4): 202 with no body once the event is verified
 * and recorded, 400 with `{err, description}` for anything that is not a valid SET from Google. It
 * takes no session and no Origin (proxy.ts exempts exactly this path and method); the signature is
 * its authority. Garbage never gets a 5xx: only a valid-looking token whose keys Google did not serve,
 * or a database that failed twice, gets 503, so Google retries.
 */

/** A SET is about 1 KB; 64 KB leaves room for any event Google adds, and nothing more is read. */
export const SECURITY_EVENT_BODY_LIMIT = 64 * 1024;
/** Per client address. Google's bursts (a mass revocation) stay well inside it; a flood of forgeries does not. */
export const SECURITY_EVENT_RATE_LIMIT: RateLimitRule = { name: "security-events", limit: 3_000, windowSeconds: 60 };
const RETRY_AFTER_SECONDS = 60;

type Deps = Pick<AppDeps, "db" | "now">;

export async function answerSecurityEventRequest(
  request: Request,
  deps: Deps = appDeps(),
  verifier: SetVerifier = setVerifierFor(getEnv()),
  trustedProxyHops = getEnv().rateLimits.trustedProxyHops,
): Promise<Response> {
  const body = await readLimitedBody(request, SECURITY_EVENT_BODY_LIMIT).catch(() => undefined);
  if (body === undefined)
    return refused({ err: "invalid_request", description: "The request body could not be read." });
  if (body === null)
    return refused({ err: "invalid_request", description: `The body is over ${SECURITY_EVENT_BODY_LIMIT / 1024} KB.` });
  const token = new TextDecoder().decode(body).trim();
  if (!isCompactJws(token))
    return refused({ err: "invalid_request", description: "The body is not a signed JWT (compact JWS)." });

  try {
    return await withOneRetry(async () => {
      const address = clientAddress(request.headers.get("x-forwarded-for"), trustedProxyHops);
      const limit = await consumeRateLimit(SECURITY_EVENT_RATE_LIMIT, address, deps);
      if (!limit.allowed)
        return new Response(null, { status: 429, headers: { "Retry-After": String(limit.retryAfterSeconds) } });
      const verdict = await verifier.verify(token);
      if (!verdict.ok) {
        console.warn(`[evergreen] security event refused: ${verdict.refusal.err}: ${verdict.refusal.description}`);
        return refused(verdict.refusal);
      }
      const received = await receiveSecurityEvent(verdict.set, deps);
      if (!received.duplicate) console.log(`[evergreen] security event ${verdict.set.type}: ${received.outcome}`);
      return new Response(null, { status: 202 });
    });
  } catch (error) {
    console.error(`[evergreen] security event not recorded: ${(error as Error).message}`);
    return new Response(null, { status: 503, headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } });
  }
}

// A database hiccup is tried once more; Google's keys not arriving is not (jose's cooldown would refuse anyway).
async function withOneRetry(answer: () => Promise<Response>): Promise<Response> {
  try {
    return await answer();
  } catch (error) {
    if (error instanceof RiscKeysUnavailableError) throw error;
    return answer();
  }
}

function refused(refusal: SetRefusal): Response {
  return Response.json(refusal, { status: 400, headers: { "Cache-Control": "no-store" } });
}

const verifiers = new Map<string, SetVerifier>();

/** One verifier per Google and client id, so the discovery document and keys stay cached between events. */
export function setVerifierFor(env: Pick<Env, "google">): SetVerifier {
  const configurationUrl = googleEndpoints(env.google.baseUrl).riscConfiguration;
  const key = `${configurationUrl} ${env.google.clientId}`;
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = createSetVerifier({ configurationUrl, audiences: [env.google.clientId] });
    verifiers.set(key, verifier);
  }
  return verifier;
}
