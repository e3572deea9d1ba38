import path from "node:path";
import { z } from "zod";
import { DEV_GOOGLE_CLIENT } from "../google/dev-client";
import { loadLocalSecrets } from "./local-secrets";
import { describeWeakKey, describeWeakSecret } from "./secret-strength";

/**
 * The only reader of process.env. Everything configurable is validated here once, with messages that
 * name the variable and the fix; the rest of the code asks getEnv() for typed values.
 */

export const DEFAULT_EMULATOR_URL = "http://127.0.0.1:4010";
const DEFAULT_SQLITE_FILE = path.join("data", "evergreen.db");
const LOCAL_SECRETS_FILE = ".local-secrets.json";

const optionalText = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

function isActionsKey(key: string): boolean {
  const bytes = Buffer.from(key, "base64");
  return (
    /^[A-Za-z0-9+/]+={0,2}$/.test(key) && [16, 24, 32].includes(bytes.length) && describeWeakKey(bytes) === undefined
  );
}

const rawSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: optionalText.refine((url) => !url || /^(file:|postgres(ql)?:\/\/)/.test(url), {
    message: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
  }),
  AUTH_SECRET: optionalText,
  AUTH_URL: optionalText.refine((url) => !url || URL.canParse(url), { message: "must be an absolute URL" }),
  AUTH_GOOGLE_ID: optionalText,
  AUTH_GOOGLE_SECRET: optionalText,
  GOOGLE_BASE_URL: optionalText.refine((url) => !url || /^https?:\/\/[^/]+\/?$/.test(url), {
    message: "must be an origin such as http://127.0.0.1:4010 (no path)",
  }),
  ALLOW_GOOGLE_EMULATOR: optionalText,
  BACKGROUND_JOBS: z
    .enum(["server", "off"], {
      message:
        'must be "server" (jobs run inside each app server) or "off" (run by `npm run worker` or the cron route)',
    })
    .default("server"),
  MIGRATE_ON_START: z
    .enum(["true", "false"], {
      message:
        'must be "true" (each app server and worker migrates the database as it starts) or "false" (`npm run db:deploy` does it first)',
    })
    .default("true"),
  // Read by Next.js itself (an action rendered by one server must decrypt on another); checked here so a bad one fails at start.
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: optionalText.refine((key) => key === undefined || isActionsKey(key), {
    message:
      "must be a base64 AES key of 16, 24 or 32 random bytes, e.g. $(openssl rand -base64 32), the same on every server",
  }),
  CRON_SECRET: optionalText,
  GMAIL_DAILY_SEND_LIMIT: z.coerce
    .number({ message: "must be a whole number of messages a day, e.g. 2000 (Workspace) or 500 (consumer Gmail)" })
    .int()
    .min(1)
    .max(100_000)
    .default(2000),
  GMAIL_SENDS_PER_MINUTE: z.coerce
    .number({ message: "must be a whole number of messages an account may send a minute, from 1 to Gmail's 150" })
    .int()
    .min(1, "must be a whole number of messages an account may send a minute, from 1 to Gmail's 150")
    .max(150, "must be at most 150: Gmail's quota allows no more sends a minute per account")
    .default(150),
  SEND_RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ message: "must be a whole number of sends a user may make per minute, e.g. 30" })
    .int()
    .min(1)
    .max(10_000)
    .default(30),
  SIGN_IN_RATE_LIMIT_PER_10_MINUTES: z.coerce
    .number({ message: "must be a whole number of sign-in attempts one address may make per 10 minutes, e.g. 30" })
    .int()
    .min(1)
    .max(100_000)
    .default(30),
  OUTBOX_LEASE_SECONDS: z.coerce
    .number({ message: "must be a whole number of seconds a worker holds a message it is sending, e.g. 150" })
    .int()
    .min(1)
    .max(3_600)
    .optional(),
  TRUSTED_PROXY_HOPS: z.coerce
    .number({ message: "must be how many reverse proxies in front of Evergreen append to X-Forwarded-For, e.g. 1" })
    .int()
    .min(0)
    .max(10)
    .default(1),
  GOOGLE_OAUTH_PUBLISHING_STATUS: z
    .enum(["production", "testing"], {
      message: 'must be "production" or "testing" (the OAuth consent screen\'s publishing status)',
    })
    .default("production"),
  TOKEN_ENCRYPTION_KEYS: optionalText,
  GMAIL_REPLY_DETECTION: optionalText.refine((value) => value === undefined || value === "metadata", {
    message:
      'must be "metadata" (users may turn on "Stop when they reply", which reads thread headers with the gmail.metadata scope) or unset (sequence stops are manual)',
  }),
  GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE: optionalText,
});

/** Every variable the schema reads: what deployment files may set (scripts/deploy-files.test.ts checks them). */
export const ENV_VARIABLES: readonly string[] = Object.keys(rawSchema.shape);

export type EncryptionKey = { id: string; key: Buffer };

export type Env = {
  nodeEnv: "development" | "test" | "production";
  isProduction: boolean;
  database: { provider: "sqlite" | "postgresql"; url: string };
  authSecret: string;
  authUrl?: string;
  google: {
    clientId: string;
    clientSecret: string;
    /** Origin of a stand-in for every Google host (the emulator); undefined means real Google. */
    baseUrl?: string;
  };
  /** The Google OAuth client's publishing status: in Testing, Google ends every grant 7 days after consent. */
  oauthPublishingStatus: "production" | "testing";
  /** The first key encrypts; every key decrypts (rotation). */
  tokenEncryptionKeys: EncryptionKey[];
  /** Gmail's daily sending cap per account: Evergreen warns at 80% and holds at 95%. */
  gmailDailySendLimit: number;
  /** The most an account sends in a minute: Gmail's 150 unless set lower (GMAIL_SENDS_PER_MINUTE). */
  gmailSendsPerMinute: number;
  /** How long a worker holds a message before another may take it over; unset means the outbox's own (lib/mail/outbox.ts). */
  outboxLeaseMs?: number;
  /** Whether each app server runs the outbox and other background jobs itself. */
  backgroundJobs: "server" | "off";
  /** Whether app servers and workers migrate the database as they start; false when `npm run db:deploy` does it first. */
  migrateOnStart: boolean;
  /** Abuse limits (lib/http/rate-limit.ts); the client address is the X-Forwarded-For entry the nearest trusted proxy added. */
  rateLimits: { sendsPerMinute: number; signInsPer10Minutes: number; trustedProxyHops: number };
  /** Bearer secret of the cron route that runs one round of background jobs (serverless hosts). */
  cronSecret?: string;
  /** "metadata": users may turn on "Stop when they reply" (lib/outreach/reply-detection.ts); "off": stops are manual. */
  replyDetection: "metadata" | "off";
  /** Absolute path of the JSON key of the service account that manages Google's security-event stream (`npm run risc`). */
  riscServiceAccountKeyFile?: string;
};

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "EnvError";
  }
}

function parseEncryptionKeys(value: string, problems: string[]): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  for (const entry of value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(":");
    const id = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), "base64");
    if (separator < 1 || !/^[A-Za-z0-9._-]{1,32}$/.test(id) || key.length !== 32) {
      problems.push(
        "TOKEN_ENCRYPTION_KEYS: each entry must be <id>:<32 random bytes in base64>, e.g. k1:$(openssl rand -base64 32); the first entry is the current key",
      );
      return [];
    }
    if (keys.some((existing) => existing.id === id))
      problems.push(`TOKEN_ENCRYPTION_KEYS: key id "${id}" appears twice`);
    const weakness = describeWeakKey(key);
    if (weakness)
      problems.push(
        `TOKEN_ENCRYPTION_KEYS: key "${id}" is not random (${weakness}); generate one with ${id}:$(openssl rand -base64 32)`,
      );
    keys.push({ id, key });
  }
  return keys;
}

function resolveDatabase(url: string | undefined, cwd: string): Env["database"] {
  if (url && /^postgres(ql)?:\/\//.test(url)) return { provider: "postgresql", url };
  const file = url ? url.slice("file:".length) : DEFAULT_SQLITE_FILE;
  return { provider: "sqlite", url: `file:${path.resolve(cwd, file)}` };
}

/** Pure: validates a variables object. `cwd` anchors relative paths (the SQLite file, local secrets). */
export function parseEnv(variables: Record<string, string | undefined>, cwd = process.cwd()): Env {
  const parsed = rawSchema.safeParse(variables);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const raw = parsed.data;
  const isProduction = raw.NODE_ENV === "production";
  const problems: string[] = [];
  const local = isProduction ? undefined : () => loadLocalSecrets(path.resolve(cwd, LOCAL_SECRETS_FILE));

  let authSecret = raw.AUTH_SECRET;
  const secretWeakness = isProduction && authSecret ? describeWeakSecret(authSecret) : undefined;
  if (isProduction && !authSecret) {
    problems.push("AUTH_SECRET: missing; set it to at least 32 random characters, e.g. $(openssl rand -base64 32)");
  } else if (secretWeakness) {
    problems.push(
      `AUTH_SECRET: too weak; use at least 32 random characters, e.g. $(openssl rand -base64 32); this one ${secretWeakness}`,
    );
  }
  authSecret ??= local?.().authSecret ?? "";

  const keysText = raw.TOKEN_ENCRYPTION_KEYS;
  let tokenEncryptionKeys: EncryptionKey[] = [];
  // Given keys are checked in every environment: a hand-made weak key is a mistake anywhere, and generated ones are random.
  if (keysText) tokenEncryptionKeys = parseEncryptionKeys(keysText, problems);
  else if (isProduction) {
    problems.push(
      "TOKEN_ENCRYPTION_KEYS: missing; set it to k1:<32 random bytes in base64>, e.g. k1:$(openssl rand -base64 32)",
    );
  } else tokenEncryptionKeys = [{ id: "local", key: Buffer.from(local!().tokenEncryptionKey, "base64") }];

  const usesRealGoogle = Boolean(raw.AUTH_GOOGLE_ID);
  if (usesRealGoogle && !raw.AUTH_GOOGLE_SECRET) {
    problems.push(
      "AUTH_GOOGLE_SECRET: missing; AUTH_GOOGLE_ID is set, so give the client secret from the same Google OAuth client",
    );
  }
  if (isProduction && !usesRealGoogle) {
    problems.push(
      "AUTH_GOOGLE_ID: missing; production needs a Google OAuth client (see README, 'Going to production')",
    );
  }
  // Without a real client, development falls back to the local emulator; production never does.
  const fallbackBaseUrl = usesRealGoogle || isProduction ? undefined : DEFAULT_EMULATOR_URL;
  const baseUrl = raw.GOOGLE_BASE_URL?.replace(/\/$/, "") ?? fallbackBaseUrl;
  if (isProduction && baseUrl && raw.ALLOW_GOOGLE_EMULATOR !== "true") {
    problems.push(
      "GOOGLE_BASE_URL: production must talk to real Google; unset it (or set ALLOW_GOOGLE_EMULATOR=true for a demo)",
    );
  }

  const cronWeakness = raw.CRON_SECRET ? describeWeakSecret(raw.CRON_SECRET) : undefined;
  if (cronWeakness)
    problems.push(
      `CRON_SECRET: too weak; use at least 32 random characters, e.g. $(openssl rand -base64 32); this one ${cronWeakness}`,
    );

  if (problems.length > 0) throw new EnvError(problems);
  return {
    nodeEnv: raw.NODE_ENV,
    isProduction,
    database: resolveDatabase(raw.DATABASE_URL, cwd),
    authSecret,
    authUrl: raw.AUTH_URL,
    google: {
      clientId: raw.AUTH_GOOGLE_ID ?? DEV_GOOGLE_CLIENT.id,
      clientSecret: raw.AUTH_GOOGLE_SECRET ?? DEV_GOOGLE_CLIENT.secret,
      baseUrl,
    },
    oauthPublishingStatus: raw.GOOGLE_OAUTH_PUBLISHING_STATUS,
    gmailDailySendLimit: raw.GMAIL_DAILY_SEND_LIMIT,
    gmailSendsPerMinute: raw.GMAIL_SENDS_PER_MINUTE,
    outboxLeaseMs: raw.OUTBOX_LEASE_SECONDS === undefined ? undefined : raw.OUTBOX_LEASE_SECONDS * 1000,
    backgroundJobs: raw.BACKGROUND_JOBS,
    migrateOnStart: raw.MIGRATE_ON_START === "true",
    rateLimits: {
      sendsPerMinute: raw.SEND_RATE_LIMIT_PER_MINUTE,
      signInsPer10Minutes: raw.SIGN_IN_RATE_LIMIT_PER_10_MINUTES,
      trustedProxyHops: raw.TRUSTED_PROXY_HOPS,
    },
    cronSecret: raw.CRON_SECRET,
    replyDetection: raw.GMAIL_REPLY_DETECTION === "metadata" ? "metadata" : "off",
    riscServiceAccountKeyFile:
      raw.GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE && path.resolve(cwd, raw.GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE),
    tokenEncryptionKeys,
  };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
