import { appDeps, type AppDeps } from "../platform/deps";
import { getEnv, type Env } from "../platform/env";

/**
 * Abuse limits as fixed-window counters in the database (RateLimitBucket), so every app server and
 * worker shares them. One atomic upsert counts an attempt on SQLite and PostgreSQL alike; a fixed
 * window may let up to twice the limit through across a window boundary, which is fine for abuse.
 */

export type RateLimitRule = { name: string; limit: number; windowSeconds: number };
export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

type LimitDeps = Pick<AppDeps, "db" | "now">;

export function rateLimitRules(limits: Env["rateLimits"] = getEnv().rateLimits) {
  return {
    /** Emails put in the outbox, per user. */
    sends: { name: "send", limit: limits.sendsPerMinute, windowSeconds: 60 },
    /** Starts of Google sign-in and returns from it, per client address. */
    signIns: { name: "sign-in", limit: limits.signInsPer10Minutes, windowSeconds: 600 },
  } satisfies Record<string, RateLimitRule>;
}

function windowOf(rule: RateLimitRule, at: Date) {
  const length = rule.windowSeconds * 1000;
  const window = Math.floor(at.getTime() / length);
  return { window, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * length - at.getTime()) / 1000)) };
}

/** Counts one attempt by `subject` (a user id, a client address) and says whether it is within the limit. */
export async function consumeRateLimit(
  rule: RateLimitRule,
  subject: string,
  deps: LimitDeps = appDeps(),
): Promise<RateLimitVerdict> {
  const now = deps.now();
  const { window, retryAfterSeconds } = windowOf(rule, now);
  const rows = await deps.db.$queryRaw<Array<{ count: number | bigint }>>`
    INSERT INTO "RateLimitBucket" ("key", "window", "count", "updatedAt")
    VALUES (${`${rule.name}:${subject}`}, ${window}, 1, ${now})
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "RateLimitBucket"."window" = excluded."window" THEN "RateLimitBucket"."count" + 1 ELSE 1 END,
      "window" = excluded."window",
      "updatedAt" = excluded."updatedAt"
    RETURNING "count"`;
  return Number(rows[0]?.count ?? 0) <= rule.limit ? { allowed: true } : { allowed: false, retryAfterSeconds };
}

/** Whether the next attempt would be refused, without counting it. */
export async function peekRateLimit(
  rule: RateLimitRule,
  subject: string,
  deps: LimitDeps = appDeps(),
): Promise<RateLimitVerdict> {
  const { window, retryAfterSeconds } = windowOf(rule, deps.now());
  const bucket = await deps.db.rateLimitBucket.findUnique({
    where: { key: `${rule.name}:${subject}` },
    select: { window: true, count: true },
  });
  return bucket && bucket.window === window && bucket.count >= rule.limit
    ? { allowed: false, retryAfterSeconds }
    : { allowed: true };
}

/** Drops counters idle for a day (their window is long over), so per-address rows do not pile up. */
export async function pruneRateLimits(deps: LimitDeps = appDeps()): Promise<number> {
  const { count } = await deps.db.rateLimitBucket.deleteMany({
    where: { updatedAt: { lt: new Date(deps.now().getTime() - 24 * 3600_000) } },
  });
  return count;
}

/**
 * The client's address: the X-Forwarded-For entry added by the nearest of `trustedProxyHops` reverse
 * proxies (Next.js itself records the socket's address there when nothing came before it). Entries
 * further left are the client's own claims, which anyone can forge.
 */
export function clientAddress(forwardedFor: string | null, trustedProxyHops: number): string {
  const entries = (forwardedFor ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[Math.max(0, entries.length - Math.max(1, trustedProxyHops))] ?? "unknown";
}
