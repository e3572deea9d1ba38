import { describe, expect, it } from "vitest";
import { createDb } from "@/lib/platform/db";
import { setupTestDatabase } from "@/test-support/test-deps";
import { clientAddress, consumeRateLimit, peekRateLimit, pruneRateLimits, rateLimitRules } from "./rate-limit";
import { isRateLimitMessage, sendLimitMessage, signInLimitMessage } from "./rate-limit-copy";

// The abuse limits on a real database: the counter is one row per limit and subject, shared by every server.

const test = setupTestDatabase();
const rule = { name: "send", limit: 3, windowSeconds: 60 };
let subject = 0;
const nextSubject = () => `user-${++subject}`;

function at(iso: string) {
  return { db: test.db, now: () => new Date(iso) };
}

describe("consumeRateLimit", () => {
  it("allows the limit within one window, then refuses with the seconds left in that window", async () => {
    const who = nextSubject();
    const clock = at("2026-11-26T10:00:15Z");
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await consumeRateLimit(rule, who, clock));
    expect(verdicts.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    expect(verdicts[3]).toEqual({ allowed: false, retryAfterSeconds: 45 });
  });

  it("starts counting afresh in the next window", async () => {
    const who = nextSubject();
    for (let i = 0; i < 4; i++) await consumeRateLimit(rule, who, at("2026-11-26T10:00:59Z"));
    expect(await consumeRateLimit(rule, who, at("2026-11-26T10:01:00Z"))).toEqual({ allowed: true });
  });

  it("counts each subject and each limit on its own", async () => {
    const [a, b] = [nextSubject(), nextSubject()];
    const clock = at("2026-11-26T10:00:00Z");
    for (let i = 0; i < 3; i++) await consumeRateLimit(rule, a, clock);
    expect(await consumeRateLimit(rule, b, clock)).toEqual({ allowed: true });
    expect(await consumeRateLimit({ ...rule, name: "sign-in" }, a, clock)).toEqual({ allowed: true });
    expect((await consumeRateLimit(rule, a, clock)).allowed).toBe(false);
  });

  it("lets exactly the limit through when 40 attempts race, from two database clients (two servers)", async () => {
    const who = nextSubject();
    const other = createDb(test.database);
    try {
      const clock = (db: typeof test.db) => ({ db, now: () => new Date("2026-11-26T11:00:00Z") });
      const race = { name: "race", limit: 25, windowSeconds: 60 };
      const verdicts = await Promise.all(
        Array.from({ length: 40 }, (_, i) => consumeRateLimit(race, who, clock(i % 2 ? other : test.db))),
      );
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(25);
    } finally {
      await other.$disconnect();
    }
  });
});

describe("peekRateLimit", () => {
  it("says refused once the limit is used up, without counting itself", async () => {
    const who = nextSubject();
    const clock = at("2026-11-26T12:00:30Z");
    for (let i = 0; i < 2; i++) await consumeRateLimit(rule, who, clock);
    expect(await peekRateLimit(rule, who, clock)).toEqual({ allowed: true });
    expect(await peekRateLimit(rule, who, clock)).toEqual({ allowed: true });
    await consumeRateLimit(rule, who, clock);
    expect(await peekRateLimit(rule, who, clock)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(await peekRateLimit(rule, who, at("2026-11-26T12:01:00Z"))).toEqual({ allowed: true });
  });
});

describe("pruneRateLimits", () => {
  it("drops counters idle for a day and keeps recent ones", async () => {
    const [old, recent] = [nextSubject(), nextSubject()];
    await consumeRateLimit(rule, old, at("2026-11-20T00:00:00Z"));
    await consumeRateLimit(rule, recent, at("2026-11-26T23:00:00Z"));
    expect(await pruneRateLimits(at("2026-11-27T00:00:00Z"))).toBeGreaterThanOrEqual(1);
    const keys = (await test.db.rateLimitBucket.findMany({ select: { key: true } })).map((row) => row.key);
    expect(keys).toContain(`send:${recent}`);
    expect(keys).not.toContain(`send:${old}`);
  });
});

describe("rateLimitRules", () => {
  it("counts sends per user per minute and sign-ins per address per 10 minutes, as configured", () => {
    const rules = rateLimitRules({ sendsPerMinute: 30, signInsPer10Minutes: 20, trustedProxyHops: 1 });
    expect(rules.sends).toEqual({ name: "send", limit: 30, windowSeconds: 60 });
    expect(rules.signIns).toEqual({ name: "sign-in", limit: 20, windowSeconds: 600 });
  });
});

describe("clientAddress", () => {
  it("takes the address the nearest trusted proxy added, ignoring what the client claimed before it", () => {
    expect(clientAddress("203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("1.2.3.4, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("1.2.3.4, 203.0.113.7, 10.0.0.2", 2)).toBe("203.0.113.7");
    expect(clientAddress("203.0.113.7", 3)).toBe("203.0.113.7");
    expect(clientAddress(null, 1)).toBe("unknown");
  });
});

describe("the words a refused user reads", () => {
  it("says when to try again, and is recognisable as a rate-limit answer", () => {
    expect(sendLimitMessage(42)).toBe(
      "Too many emails in one minute: you can send again in 42 seconds. Your draft is kept.",
    );
    expect(signInLimitMessage(301)).toBe("Too many sign-in attempts from your network: try again in 6 minutes.");
    expect(isRateLimitMessage(sendLimitMessage(1))).toBe(true);
    expect(isRateLimitMessage("An unexpected response was received from the server.")).toBe(false);
  });
});
