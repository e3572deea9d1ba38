import { createHash } from "node:crypto";

const OAUTH = "https://schemas.openid.net/secevent/oauth/event-type/";
const RISC = "https://schemas.openid.net/secevent/risc/event-type/";

/** The event types Google documents (google-risc.md §2.5); note the two token events live under oauth/. */
export const EVENT_TYPES = {
  "tokens-revoked": `${OAUTH}tokens-revoked`,
  "token-revoked": `${OAUTH}token-revoked`,
  "sessions-revoked": `${RISC}sessions-revoked`,
  "account-disabled": `${RISC}account-disabled`,
  "account-enabled": `${RISC}account-enabled`,
  "account-credential-change-required": `${RISC}account-credential-change-required`,
  verification: `${RISC}verification`,
} as const;

export type EventName = keyof typeof EVENT_TYPES;
export type EventTypeUri = (typeof EVENT_TYPES)[EventName];

export const PUSH_DELIVERY = "https://schemas.openid.net/secevent/risc/delivery-method/push";
/** SEC2 reports Google's discovery document with the http form of the same URI (google-risc.md §1.2). */
export const PUSH_DELIVERY_AS_ADVERTISED = "http://schemas.openid.net/secevent/risc/delivery-method/push";

export type DisableReason = "hijacking" | "bulk-account";

export type Subject =
  | { subject_type: "iss-sub"; iss: string; sub: string }
  | {
      subject_type: "oauth_token";
      token_type: "refresh_token";
      token_identifier_alg: "hash_base64_sha512_sha512" | "prefix";
      token: string;
      sub?: string;
      iss?: string;
    };

/** One event as it sits in a SET's `events`: the subject inside it, then its attributes. */
export interface SecurityEvent {
  type: EventTypeUri;
  subject?: Subject;
  attributes?: { reason?: DisableReason; state?: string };
}

/** A short name (`sessions-revoked`) or a full URI, as the trigger route takes it. */
export function eventTypeFrom(value: string): EventTypeUri | undefined {
  if (value in EVENT_TYPES) return EVENT_TYPES[value as EventName];
  return Object.values(EVENT_TYPES).find((uri) => uri === value);
}

export function isKnownEventType(value: string): value is EventTypeUri {
  return (Object.values(EVENT_TYPES) as string[]).includes(value);
}

/** hash_base64_sha512_sha512: standard padded base64 of SHA-512 over the raw SHA-512 digest (§2.6). */
export function doubleSha512(token: string): string {
  const inner = createHash("sha512").update(token, "utf8").digest();
  return createHash("sha512").update(inner).digest("base64");
}

export function tokenIdentifier(token: string, alg: "hash_base64_sha512_sha512" | "prefix"): string {
  return alg === "prefix" ? token.slice(0, 16) : doubleSha512(token);
}
