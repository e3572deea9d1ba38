import { createPrivateKey } from "node:crypto";
import { SignJWT } from "jose";
import { DEV_RISC_SERVICE_ACCOUNT } from "../../lib/google/dev-service-account";
import { EVENT_TYPES, PUSH_DELIVERY } from "./events";
import { RISC_MANAGEMENT_AUDIENCE } from "./management-api";

export interface ServiceAccountKey {
  client_email: string;
  private_key_id: string;
  private_key: string;
}

export interface ServiceAccountJwtOptions {
  /** Seconds since the epoch; the emulator's clock when a test moved it. Default: real now. */
  iat?: number;
  lifetimeSeconds?: number;
  audience?: string;
}

/** A self-signed management-API JWT, as Google's docs build one (google-risc.md §1.3). For tests. */
export async function serviceAccountJwt(
  key: ServiceAccountKey = DEV_RISC_SERVICE_ACCOUNT,
  options: ServiceAccountJwtOptions = {},
): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: key.private_key_id, typ: "JWT" })
    .setIssuer(key.client_email)
    .setSubject(key.client_email)
    .setAudience(options.audience ?? RISC_MANAGEMENT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeSeconds ?? 3600))
    .sign(createPrivateKey(key.private_key));
}

/**
 * Registers `receiverUrl` as the dev project's stream through stream:update, as the development service
 * account. The emulator's own tests use it; the app has its own client.
 */
export async function registerStreamForTests(
  baseUrl: string,
  receiverUrl: string,
  events: string[] = Object.values(EVENT_TYPES),
): Promise<void> {
  const response = await fetch(`${baseUrl}/v1beta/stream:update`, {
    method: "POST",
    headers: { Authorization: `Bearer ${await serviceAccountJwt()}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      delivery: { delivery_method: PUSH_DELIVERY, url: receiverUrl },
      events_requested: events,
    }),
  });
  if (response.status !== 200) throw new Error(`stream:update: HTTP ${response.status} ${await response.text()}`);
}
