import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { EmulatorConfig } from "../config";
import type { SecurityEvent } from "./events";
import type { SetFaultKind } from "./risc-state";

export interface SetClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  exp?: number;
  events: Record<string, Record<string, unknown>>;
}

interface Signer {
  kid: string;
  privateKey: KeyObject;
}

export function randomJti(): string {
  return randomBytes(16).toString("hex");
}

/** Google's shape: one event, its subject inside it (never a top-level sub_id), then its attributes. */
export function setClaims(event: SecurityEvent, envelope: { iss: string; aud: string; iat: number }): SetClaims {
  return {
    iss: envelope.iss,
    aud: envelope.aud,
    iat: envelope.iat,
    jti: randomJti(),
    events: { [event.type]: { ...(event.subject ? { subject: event.subject } : {}), ...event.attributes } },
  };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Compact RS256 JWS, signed synchronously so a trigger's state change and its SETs happen together. */
export function signSet(claims: SetClaims, signer: Signer, typ: EmulatorConfig["riscSetTyp"]): string {
  const header = { alg: "RS256", kid: signer.kid, ...(typ === "none" ? {} : { typ }) };
  const input = `${base64url(header)}.${base64url(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), signer.privateKey).toString("base64url")}`;
}

let strangerKey: Signer | undefined;

/** A key the JWKS never lists, for the unknown-kid fault; one per process, since RSA keys are slow to make. */
function stranger(): Signer {
  strangerKey ??= {
    kid: randomBytes(20).toString("hex"),
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
  };
  return strangerKey;
}

/** Signs the SET, spoilt the way the fault asks, if any. */
export function signWithFault(
  claims: SetClaims,
  signer: Signer,
  typ: EmulatorConfig["riscSetTyp"],
  fault: SetFaultKind | undefined,
): string {
  if (fault === "wrong-aud") claims.aud = "someone-else.apps.googleusercontent.com";
  if (fault === "wrong-iss") claims.iss = "https://accounts.example.invalid";
  // A SET carrying an exp in the past is still valid: SETs describe past events (google-risc.md §2.3).
  if (fault === "expired-exp") claims.exp = claims.iat - 3600;
  const set = signSet(claims, fault === "unknown-kid" ? stranger() : signer, typ);
  if (fault !== "bad-signature") return set;
  const dot = set.lastIndexOf(".");
  const signature = Buffer.from(set.slice(dot + 1), "base64url");
  for (let i = 0; i < 8; i++) signature[i] = (signature[i] ?? 0) ^ 0xff;
  return `${set.slice(0, dot)}.${signature.toString("base64url")}`;
}
