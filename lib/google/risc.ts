import { compactVerify, createRemoteJWKSet, decodeProtectedHeader, errors, type JWTVerifyGetKey } from "jose";

/**
 * Verifies the security event tokens (SETs) Google pushes to /api/google/risc (google-risc.md §2):
 * RS256 only, a `kid` found in the JWKS that Google's RISC discovery document names, `iss` equal to
 * that document's issuer, `aud` one of our OAuth client ids. `exp` and `typ` are not required: a SET
 * describes something that already happened, and Google documents neither.
 */

/** RFC 8935 §2.3's error codes, the ones a receiver can tell apart. */
export type SetRefusal = {
  err: "invalid_request" | "invalid_key" | "invalid_issuer" | "invalid_audience";
  description: string;
};

/** One verified security event: Google sends exactly one event per SET. */
export type SecurityEventToken = {
  jti: string;
  issuedAt: Date;
  /** The event type URI, e.g. https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked. */
  type: string;
  /** The event's members: `subject` and attributes such as `reason` or `state`. */
  event: Record<string, unknown>;
};

export type SetVerdict = { ok: true; set: SecurityEventToken } | { ok: false; refusal: SetRefusal };

/** Google's keys or discovery document could not be fetched: the SET may be fine, so Google should retry. */
export class RiscKeysUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Google's security-event keys could not be fetched: ${(cause as Error).message ?? String(cause)}`);
    this.name = "RiscKeysUnavailableError";
  }
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether a body has the shape of a signed JWT at all: checked before anything costs a database write. */
export function isCompactJws(body: string): boolean {
  return COMPACT_JWS.test(body);
}
const MAX_JTI_LENGTH = 256;
/** The discovery document rarely changes; an hour keeps its fetch off the path of almost every event. */
const DISCOVERY_TTL_MS = 60 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
/**
 * jose refetches the JWKS for an unknown `kid`, at most once per cooldown, so forged kids cannot hammer
 * Google. Google publishes a key well before signing with it, so a real SET meets a cached key.
 */
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 10 * 60_000;

type Discovery = { issuer: string; keys: JWTVerifyGetKey };

export type SetVerifier = { verify(token: string): Promise<SetVerdict> };

/** One verifier per discovery URL and audience list; keeps the discovery document and keys cached. */
export function createSetVerifier(options: {
  configurationUrl: string;
  audiences: string[];
  now?: () => number;
  /** How soon an unknown `kid` may refetch the keys again (tests shorten it). */
  jwksCooldownMs?: number;
}): SetVerifier {
  const now = options.now ?? Date.now;
  // Concurrent events share one fetch, kept for an hour; a failed fetch is forgotten so the next event tries again.
  let discovery: { fetching: Promise<Discovery>; at: number } | undefined;
  const discover = (): Promise<Discovery> => {
    if (discovery && now() - discovery.at < DISCOVERY_TTL_MS) return discovery.fetching;
    const entry = {
      fetching: fetchDiscovery(options.configurationUrl, options.jwksCooldownMs ?? JWKS_COOLDOWN_MS),
      at: now(),
    };
    discovery = entry;
    entry.fetching.catch(() => {
      if (discovery === entry) discovery = undefined;
    });
    return entry.fetching;
  };

  return {
    async verify(token) {
      const refusal = (err: SetRefusal["err"], description: string): SetVerdict => ({
        ok: false,
        refusal: { err, description },
      });
      if (!isCompactJws(token)) return refusal("invalid_request", "The body is not a signed JWT (compact JWS).");
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        return refusal("invalid_request", "The JWT header is not valid JSON.");
      }
      // Checked before any key is fetched: `none`, HS256 keyed with Google's public key and the like never get further.
      if (header.alg !== "RS256")
        return refusal("invalid_key", `Algorithm ${String(header.alg)} is not accepted; RS256 only.`);
      if (typeof header.kid !== "string" || !header.kid)
        return refusal("invalid_key", "The JWT header names no key (kid).");

      const { issuer, keys } = await discover();
      let payloadBytes: Uint8Array;
      try {
        ({ payload: payloadBytes } = await compactVerify(token, keys, { algorithms: ["RS256"] }));
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey)
          return refusal("invalid_key", "The key (kid) is not one of Google's.");
        if (error instanceof errors.JWSSignatureVerificationFailed)
          return refusal("invalid_key", "The signature does not verify with Google's key.");
        if (
          error instanceof errors.JWSInvalid ||
          error instanceof errors.JOSEAlgNotAllowed ||
          error instanceof errors.JOSENotSupported ||
          error instanceof errors.JWKSMultipleMatchingKeys
        )
          return refusal("invalid_request", `The JWT could not be verified (${error.code}).`);
        // Anything else is the key set not arriving (timeout, network, a non-200 answer): Google should retry.
        throw new RiscKeysUnavailableError(error);
      }
      const claims = parseClaims(payloadBytes);
      if (!claims) return refusal("invalid_request", "The JWT payload is not a JSON object.");
      if (typeof claims.iss !== "string" || withoutTrailingSlash(claims.iss) !== withoutTrailingSlash(issuer))
        return refusal("invalid_issuer", "The issuer (iss) is not Google's.");
      const audiences = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
      if (!audiences.some((aud) => typeof aud === "string" && options.audiences.includes(aud)))
        return refusal("invalid_audience", "The audience (aud) is not this app's OAuth client.");
      if (typeof claims.jti !== "string" || !claims.jti || claims.jti.length > MAX_JTI_LENGTH)
        return refusal("invalid_request", "The token id (jti) is missing.");
      if (typeof claims.iat !== "number" || !Number.isFinite(claims.iat))
        return refusal("invalid_request", "The issue time (iat) is missing.");
      const events = claims.events;
      const entry = isObject(events) ? Object.entries(events)[0] : undefined;
      if (!entry || !isObject(entry[1])) return refusal("invalid_request", "The token carries no event.");
      return {
        ok: true,
        set: { jti: claims.jti, issuedAt: new Date(claims.iat * 1000), type: entry[0], event: entry[1] },
      };
    },
  };
}

async function fetchDiscovery(configurationUrl: string, cooldownMs: number): Promise<Discovery> {
  let document: unknown;
  try {
    const response = await fetch(configurationUrl, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${configurationUrl} answered ${response.status}`);
    document = await response.json();
  } catch (error) {
    throw new RiscKeysUnavailableError(error);
  }
  const { issuer, jwks_uri: jwksUri } = (isObject(document) ? document : {}) as Record<string, unknown>;
  if (typeof issuer !== "string" || typeof jwksUri !== "string" || !URL.canParse(jwksUri))
    throw new RiscKeysUnavailableError(new Error(`${configurationUrl} has no issuer or jwks_uri`));
  const keys = createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: cooldownMs,
    cacheMaxAge: JWKS_MAX_AGE_MS,
    timeoutDuration: FETCH_TIMEOUT_MS,
  });
  return { issuer, keys };
}

function parseClaims(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Google's documented example has "https://accounts.google.com/", its discovery document reportedly no slash.
function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
