import { json, type Reply } from "../http";

export type GmailMethod = "SendMessage" | "GetProfile" | "GetThread";

interface ApiErrorOptions {
  status: number;
  message: string;
  reason: string;
  canonicalStatus: string;
  itemMessage?: string;
  domain?: string;
  location?: { location: string; locationType: string };
  errorInfoReason?: string;
  method?: GmailMethod;
  headers?: Record<string, string>;
}

/** Google API error envelope (§9.9): code, message, errors[], status, and an ErrorInfo detail when Google sends one. */
export function apiError(options: ApiErrorOptions): Reply {
  const item = {
    message: options.itemMessage ?? options.message,
    domain: options.domain ?? "global",
    reason: options.reason,
    ...(options.location ?? {}),
  };
  const details = options.errorInfoReason
    ? [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: options.errorInfoReason,
          domain: "googleapis.com",
          metadata: {
            service: "gmail.googleapis.com",
            ...(options.method ? { method: `caribou.api.proto.MailboxService.${options.method}` } : {}),
          },
        },
      ]
    : undefined;
  return json(
    options.status,
    {
      error: {
        code: options.status,
        message: options.message,
        errors: [item],
        status: options.canonicalStatus,
        ...(details ? { details } : {}),
      },
    },
    options.headers,
  );
}

export function badRequest(message: string, reason = "invalidArgument"): Reply {
  return apiError({ status: 400, message, reason, canonicalStatus: "INVALID_ARGUMENT" });
}

export function credentialsMissing(method: GmailMethod): Reply {
  return apiError({
    status: 401,
    message:
      "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    itemMessage: "Login Required.",
    reason: "required",
    location: { location: "Authorization", locationType: "header" },
    canonicalStatus: "UNAUTHENTICATED",
    errorInfoReason: "CREDENTIALS_MISSING",
    method,
    headers: { "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"' },
  });
}

export function invalidCredentials(method: GmailMethod, expired: boolean): Reply {
  return apiError({
    status: 401,
    message:
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    itemMessage: "Invalid Credentials",
    reason: "authError",
    location: { location: "Authorization", locationType: "header" },
    canonicalStatus: "UNAUTHENTICATED",
    errorInfoReason: expired ? "ACCESS_TOKEN_EXPIRED" : "ACCESS_TOKEN_TYPE_UNSUPPORTED",
    method,
    headers: { "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });
}

export function insufficientScope(method: GmailMethod, acceptedScopes: string[]): Reply {
  return apiError({
    status: 403,
    message: "Request had insufficient authentication scopes.",
    itemMessage: "Insufficient Permission",
    reason: "insufficientPermissions",
    canonicalStatus: "PERMISSION_DENIED",
    errorInfoReason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
    method,
    headers: {
      "WWW-Authenticate": `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${acceptedScopes.join(" ")}"`,
    },
  });
}

export function delegationDenied(userId: string): Reply {
  return apiError({
    status: 403,
    message: `Delegation denied for ${userId}`,
    reason: "forbidden",
    canonicalStatus: "PERMISSION_DENIED",
  });
}

export function userRateLimitExceeded(status: 403 | 429, method: GmailMethod): Reply {
  return apiError({
    status,
    message: "User Rate Limit Exceeded",
    reason: "userRateLimitExceeded",
    domain: "usageLimits",
    canonicalStatus: status === 429 ? "RESOURCE_EXHAUSTED" : "PERMISSION_DENIED",
    errorInfoReason: "RATE_LIMIT_EXCEEDED",
    method,
  });
}

/** The mail-sending limit: the retry time is only in the text; Gmail sends no Retry-After header. */
export function mailSendingLimit(retryAt: Date): Reply {
  return apiError({
    status: 429,
    message: `User-rate limit exceeded.  Retry after ${retryAt.toISOString()} (Mail sending)`,
    reason: "rateLimitExceeded",
    domain: "usageLimits",
    canonicalStatus: "RESOURCE_EXHAUSTED",
  });
}

export function payloadTooLarge(): Reply {
  return json(413, {
    error: {
      code: 413,
      message: "Request Entity Too Large",
      errors: [{ message: "Request Entity Too Large", domain: "global", reason: "uploadTooLarge" }],
    },
  });
}

export function entityNotFound(): Reply {
  return apiError({
    status: 404,
    message: "Requested entity was not found.",
    reason: "notFound",
    canonicalStatus: "NOT_FOUND",
  });
}

/** A gmail.metadata-only token asking for bodies (format FULL or RAW). */
export function metadataScopeFormat(format: string): Reply {
  return apiError({
    status: 403,
    message: `Metadata scope doesn't allow format ${format.toUpperCase()}`,
    reason: "forbidden",
    canonicalStatus: "PERMISSION_DENIED",
  });
}
