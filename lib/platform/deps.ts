import { getDb, type Db } from "./db";
import { getEnv, type EncryptionKey } from "./env";
import { googleGateway, type GoogleGateway } from "../google/gateway";
import { createTokenVault, type TokenVault } from "../connection/token-crypto";

/**
 * What domain functions need from outside: the database, the token keys, Google and the clock. Every
 * lib function that touches the database takes it last, `fn(userId, …, deps = appDeps())`, so the
 * app calls it plainly and tests pass their own.
 */
export type AppDeps = {
  db: Db;
  keys: EncryptionKey[];
  vault: TokenVault;
  google: GoogleGateway;
  now: () => Date;
  /** The OAuth client's publishing status, which decides how long Google keeps a grant. */
  publishingStatus: "production" | "testing";
  /** Gmail's daily sending cap for these accounts (Workspace 2,000; consumer Gmail 500). */
  dailySendLimit: number;
  /** The most one account sends in a minute; Gmail's quota (PACING.sendsPerMinute) unless set lower. */
  sendsPerMinute?: number;
  /** How long an outbox worker holds a message; OUTBOX.leaseMs unless set (OUTBOX_LEASE_SECONDS). */
  outboxLeaseMs?: number;
  /** GMAIL_REPLY_DETECTION: "metadata" lets users turn on "Stop when they reply"; unset means off. */
  replyDetection?: "metadata" | "off";
};

let wired: AppDeps | undefined;

export function appDeps(): AppDeps {
  if (!wired) {
    const env = getEnv();
    const keys = env.tokenEncryptionKeys;
    wired = {
      db: getDb(),
      keys,
      vault: createTokenVault(keys),
      google: googleGateway(),
      now: () => new Date(),
      publishingStatus: env.oauthPublishingStatus,
      dailySendLimit: env.gmailDailySendLimit,
      sendsPerMinute: env.gmailSendsPerMinute,
      outboxLeaseMs: env.outboxLeaseMs,
      replyDetection: env.replyDetection,
    };
  }
  return wired;
}
