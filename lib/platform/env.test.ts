import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { E2E } from "@/e2e/e2e-config";
import { DEFAULT_EMULATOR_URL, EnvError, parseEnv } from "./env";
import { DEV_GOOGLE_CLIENT } from "../google/dev-client";

const STRONG_SECRET = "k3Jd9a0Qm2Zx7Lp5Vb8Nc1Rt6Yw4Hs0Ue3Gf";
const KEY = randomBytes(32).toString("base64");
const ZERO_KEY = Buffer.alloc(32).toString("base64");
const PRODUCTION = {
  NODE_ENV: "production",
  AUTH_SECRET: STRONG_SECRET,
  AUTH_GOOGLE_ID: "123.apps.googleusercontent.com",
  AUTH_GOOGLE_SECRET: "GOCSPX-real",
  TOKEN_ENCRYPTION_KEYS: `k1:${KEY}`,
  DATABASE_URL: "postgresql://evergreen@db.internal:5432/evergreen",
};

function problemsOf(variables: Record<string, string | undefined>, cwd = freshFolder()): string[] {
  try {
    parseEnv(variables, cwd);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

function freshFolder() {
  return mkdtempSync(path.join(tmpdir(), "evergreen-env-"));
}

describe("development with nothing configured", () => {
  it("uses SQLite under data/, the local Google emulator and its dev client", () => {
    const cwd = freshFolder();
    const env = parseEnv({}, cwd);
    expect(env.database).toEqual({ provider: "sqlite", url: `file:${path.join(cwd, "data", "evergreen.db")}` });
    expect(env.google).toEqual({
      clientId: DEV_GOOGLE_CLIENT.id,
      clientSecret: DEV_GOOGLE_CLIENT.secret,
      baseUrl: DEFAULT_EMULATOR_URL,
    });
  });

  it("generates local secrets once and reuses them on the next start", () => {
    const cwd = freshFolder();
    const first = parseEnv({}, cwd);
    const second = parseEnv({ NODE_ENV: "test" }, cwd);
    expect(first.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.tokenEncryptionKeys[0]!.key.equals(first.tokenEncryptionKeys[0]!.key)).toBe(true);
    const stored = JSON.parse(readFileSync(path.join(cwd, ".local-secrets.json"), "utf8")) as { authSecret: string };
    expect(stored.authSecret).toBe(first.authSecret);
  });
});

describe("database selection", () => {
  it("takes a postgresql:// URL as PostgreSQL", () => {
    const env = parseEnv({ DATABASE_URL: "postgresql://u:p@localhost:5432/crm" }, freshFolder());
    expect(env.database).toEqual({ provider: "postgresql", url: "postgresql://u:p@localhost:5432/crm" });
  });

  it("resolves a relative file: URL against the project folder", () => {
    const cwd = freshFolder();
    expect(parseEnv({ DATABASE_URL: "file:./other.db" }, cwd).database.url).toBe(`file:${path.join(cwd, "other.db")}`);
  });

  it("names DATABASE_URL when it is neither", () => {
    expect(problemsOf({ DATABASE_URL: "mysql://localhost/crm" })).toEqual([
      "DATABASE_URL: must start with file: (SQLite) or postgresql:// (PostgreSQL)",
    ]);
  });
});

describe("production", () => {
  it("accepts a complete configuration and talks to real Google", () => {
    const env = parseEnv(PRODUCTION, freshFolder());
    expect(env.isProduction).toBe(true);
    expect(env.google.baseUrl).toBeUndefined();
    expect(env.tokenEncryptionKeys.map((key) => key.id)).toEqual(["k1"]);
  });

  it("refuses to start without secrets and names every missing variable", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems.map((problem) => problem.split(":")[0])).toEqual([
      "AUTH_SECRET",
      "TOKEN_ENCRYPTION_KEYS",
      "AUTH_GOOGLE_ID",
    ]);
  });

  it.each([
    "changeme",
    "short-secret",
    "a".repeat(40),
    "your-secret-here-your-secret-here-xx",
    "0123456789abcdef0123456789abcdef",
    "abcdefghijklmnopqrstuvwxyzABCDEF",
  ])("rejects the weak AUTH_SECRET %j, saying how to generate one", (secret) => {
    expect(problemsOf({ ...PRODUCTION, AUTH_SECRET: secret })).toEqual([
      expect.stringMatching(
        /^AUTH_SECRET: too weak; use at least 32 random characters, e.g. \$\(openssl rand -base64 32\); this one /,
      ),
    ]);
  });

  it("says what is wrong with a weak AUTH_SECRET", () => {
    expect(problemsOf({ ...PRODUCTION, AUTH_SECRET: "0123456789abcdef0123456789abcdef" })).toEqual([
      "AUTH_SECRET: too weak; use at least 32 random characters, e.g. $(openssl rand -base64 32); this one repeats a short pattern",
    ]);
  });

  it("rejects an all-zero encryption key, naming its id and the fix but not the key", () => {
    const problems = problemsOf({ ...PRODUCTION, TOKEN_ENCRYPTION_KEYS: `k1:${ZERO_KEY}` });
    expect(problems).toEqual([
      'TOKEN_ENCRYPTION_KEYS: key "k1" is not random (all zero bytes); generate one with k1:$(openssl rand -base64 32)',
    ]);
    expect(problems.join()).not.toContain(ZERO_KEY);
  });

  it("checks every encryption key, not only the current one, and lists weak secrets together", () => {
    const sequential = Buffer.from(Array.from({ length: 32 }, (_, index) => index)).toString("base64");
    const problems = problemsOf({
      ...PRODUCTION,
      AUTH_SECRET: "a".repeat(40),
      TOKEN_ENCRYPTION_KEYS: `new:${KEY},old:${sequential}`,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^AUTH_SECRET: too weak/),
      'TOKEN_ENCRYPTION_KEYS: key "old" is not random (mostly sequential bytes); generate one with old:$(openssl rand -base64 32)',
    ]);
  });

  it("accepts the fixed secrets the e2e app runs with", () => {
    expect(problemsOf(E2E.appEnv)).toEqual([]);
  });

  it("rejects encryption keys that are not 32 bytes", () => {
    expect(problemsOf({ ...PRODUCTION, TOKEN_ENCRYPTION_KEYS: "k1:c2hvcnQ=" })[0]).toMatch(
      /^TOKEN_ENCRYPTION_KEYS: each entry must be/,
    );
  });

  it("accepts several encryption keys, the first one current", () => {
    const env = parseEnv(
      { ...PRODUCTION, TOKEN_ENCRYPTION_KEYS: `new:${KEY}, old:${randomBytes(32).toString("base64")}` },
      freshFolder(),
    );
    expect(env.tokenEncryptionKeys.map((key) => key.id)).toEqual(["new", "old"]);
  });

  it("refuses the emulator unless explicitly allowed for a demo", () => {
    expect(problemsOf({ ...PRODUCTION, GOOGLE_BASE_URL: "http://127.0.0.1:4010" })[0]).toMatch(
      /^GOOGLE_BASE_URL: production must talk to real Google/,
    );
    expect(
      problemsOf({ ...PRODUCTION, GOOGLE_BASE_URL: "http://127.0.0.1:4010", ALLOW_GOOGLE_EMULATOR: "true" }),
    ).toEqual([]);
  });

  it("never writes a local secrets file", () => {
    const cwd = freshFolder();
    parseEnv(PRODUCTION, cwd);
    expect(() => readFileSync(path.join(cwd, ".local-secrets.json"))).toThrow();
  });
});

it("rejects a weak encryption key in development too, when one is given by hand", () => {
  expect(problemsOf({ TOKEN_ENCRYPTION_KEYS: `dev:${ZERO_KEY}` })).toEqual([
    'TOKEN_ENCRYPTION_KEYS: key "dev" is not random (all zero bytes); generate one with dev:$(openssl rand -base64 32)',
  ]);
});

it("leaves AUTH_SECRET unchecked outside production, where a generated one is the default", () => {
  expect(problemsOf({ AUTH_SECRET: "dev" })).toEqual([]);
});

it("requires the Google client secret whenever a real client id is given", () => {
  expect(problemsOf({ AUTH_GOOGLE_ID: "123.apps.googleusercontent.com" })[0]).toMatch(/^AUTH_GOOGLE_SECRET: missing/);
});

it("rejects a GOOGLE_BASE_URL with a path, since Google's own paths are served from its root", () => {
  expect(problemsOf({ GOOGLE_BASE_URL: "http://127.0.0.1:4010/google" })).toEqual([
    "GOOGLE_BASE_URL: must be an origin such as http://127.0.0.1:4010 (no path)",
  ]);
});

it("defaults to the development client the local Google registers, with the dev server's callback", async () => {
  const { DEV_CLIENT } = await import("@/google-emulator/seed");
  expect(DEV_CLIENT.redirectUris).toContain("http://localhost:3000/api/auth/callback/google");
  expect(DEFAULT_EMULATOR_URL).toBe("http://127.0.0.1:4010");
});

describe("abuse limits", () => {
  it("default to 30 sends a minute per user, 30 sign-in attempts per address per 10 minutes, one proxy", () => {
    expect(parseEnv(PRODUCTION, freshFolder()).rateLimits).toEqual({
      sendsPerMinute: 30,
      signInsPer10Minutes: 30,
      trustedProxyHops: 1,
    });
  });

  it("name the variable and the kind of value when one is not a whole number", () => {
    const problems = problemsOf({ ...PRODUCTION, SEND_RATE_LIMIT_PER_MINUTE: "lots", TRUSTED_PROXY_HOPS: "-1" });
    expect(problems).toEqual([
      expect.stringMatching(/^SEND_RATE_LIMIT_PER_MINUTE: must be a whole number of sends/),
      expect.stringMatching(/^TRUSTED_PROXY_HOPS: /),
    ]);
  });
});

describe("the outbox's lease", () => {
  it("is the outbox's own unless set, and a set one is whole seconds of at least one", () => {
    expect(parseEnv(PRODUCTION, freshFolder()).outboxLeaseMs).toBeUndefined();
    expect(parseEnv({ ...PRODUCTION, OUTBOX_LEASE_SECONDS: "90" }, freshFolder()).outboxLeaseMs).toBe(90_000);
    expect(problemsOf({ ...PRODUCTION, OUTBOX_LEASE_SECONDS: "0" })).toEqual([
      expect.stringMatching(/^OUTBOX_LEASE_SECONDS: /),
    ]);
  });
});

describe("the security-event stream's service account key", () => {
  it("is unset unless given, and a given path is anchored to the working folder", () => {
    const cwd = freshFolder();
    expect(parseEnv(PRODUCTION, cwd).riscServiceAccountKeyFile).toBeUndefined();
    expect(
      parseEnv({ ...PRODUCTION, GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE: "secrets/risc.json" }, cwd)
        .riscServiceAccountKeyFile,
    ).toBe(path.join(cwd, "secrets", "risc.json"));
    expect(
      parseEnv({ ...PRODUCTION, GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE: "/etc/evergreen/risc.json" }, cwd)
        .riscServiceAccountKeyFile,
    ).toBe("/etc/evergreen/risc.json");
  });
});

describe("reply detection", () => {
  it("is off unless GMAIL_REPLY_DETECTION=metadata, and any other value is named with its fix", () => {
    expect(parseEnv(PRODUCTION, freshFolder()).replyDetection).toBe("off");
    expect(parseEnv({ ...PRODUCTION, GMAIL_REPLY_DETECTION: "metadata" }, freshFolder()).replyDetection).toBe(
      "metadata",
    );
    expect(problemsOf({ ...PRODUCTION, GMAIL_REPLY_DETECTION: "true" })).toEqual([
      expect.stringMatching(/^GMAIL_REPLY_DETECTION: must be "metadata" .* or unset/),
    ]);
  });
});

describe("many servers", () => {
  it("migrate at start unless MIGRATE_ON_START=false, and any other value is named with its fix", () => {
    expect(parseEnv(PRODUCTION, freshFolder()).migrateOnStart).toBe(true);
    expect(parseEnv({ ...PRODUCTION, MIGRATE_ON_START: "false" }, freshFolder()).migrateOnStart).toBe(false);
    expect(problemsOf({ ...PRODUCTION, MIGRATE_ON_START: "no" })).toEqual([
      expect.stringMatching(/^MIGRATE_ON_START: must be "true" .* or "false"/),
    ]);
  });

  it("accept a random server actions key of 32 bytes and refuse a short, malformed or not random one", () => {
    expect(problemsOf({ ...PRODUCTION, NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: KEY })).toEqual([]);
    for (const key of [randomBytes(8).toString("base64"), "not base64!", ZERO_KEY]) {
      expect(problemsOf({ ...PRODUCTION, NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: key })).toEqual([
        expect.stringMatching(/^NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: must be a base64 AES key/),
      ]);
    }
  });
});
