import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { importPKCS8, SignJWT } from "jose";
import { z } from "zod";
import { getEnv, type Env } from "../platform/env";
import { DEV_RISC_SERVICE_ACCOUNT } from "./dev-service-account";
import { googleEndpoints } from "./oauth";

/**
 * The client of Google's RISC stream management API (Cross-Account Protection): which receiver
 * Google pushes security events to, which events, and whether the stream runs. Used by `npm run risc`
 * and by `npm run dev` against the local Google; the receiver itself is /api/google/risc.
 */

const OAUTH_EVENT = "https://schemas.openid.net/secevent/oauth/event-type";
const RISC_EVENT = "https://schemas.openid.net/secevent/risc/event-type";

/** Every event type Evergreen asks Google for, by short name. */
export const RISC_EVENT_TYPES = {
  tokensRevoked: `${OAUTH_EVENT}/tokens-revoked`,
  tokenRevoked: `${OAUTH_EVENT}/token-revoked`,
  sessionsRevoked: `${RISC_EVENT}/sessions-revoked`,
  accountDisabled: `${RISC_EVENT}/account-disabled`,
  accountEnabled: `${RISC_EVENT}/account-enabled`,
  accountCredentialChangeRequired: `${RISC_EVENT}/account-credential-change-required`,
  verification: `${RISC_EVENT}/verification`,
} as const;

export type RiscEventType = (typeof RISC_EVENT_TYPES)[keyof typeof RISC_EVENT_TYPES];

export const RISC_PUSH_DELIVERY = "https://schemas.openid.net/secevent/risc/delivery-method/push";
export const RISC_MANAGEMENT_AUDIENCE = "https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService";
export const RISC_RECEIVER_PATH = "/api/google/risc";
const README_SECTION = `README, "Google's security events (Cross-Account Protection)"`;
// Where `npm run dev` serves the app when AUTH_URL does not say otherwise.
const DEVELOPMENT_ORIGIN = "http://localhost:3000";
const TOKEN_LIFETIME_SECONDS = 3600;
const REQUEST_TIMEOUT_MS = 10_000;

const serviceAccountKeySchema = z.object({
  client_email: z.string().min(1),
  private_key_id: z.string().min(1),
  private_key: z.string().includes("PRIVATE KEY"),
});

/** The fields of a service account's JSON key file that signing needs. */
export type ServiceAccountKey = z.infer<typeof serviceAccountKeySchema>;

/** Google's stream configuration; fields Evergreen does not know are kept so an update sends them back. */
export type StreamConfig = {
  delivery?: { delivery_method?: string; url?: string; [field: string]: unknown };
  events_requested?: string[];
  [field: string]: unknown;
};

export type StreamStatus = "enabled" | "disabled";

/** A failure of the stream API or its set-up, as one sentence that says what to fix. */
export class RiscStreamError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
    readonly googleMessage?: string,
  ) {
    super(message);
    this.name = "RiscStreamError";
  }
}

/** Reads and checks a service account's JSON key file. */
export async function loadServiceAccountKey(file: string): Promise<ServiceAccountKey> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new RiscStreamError(`GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE: cannot read ${file} (${code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const key = serviceAccountKeySchema.safeParse(data);
  if (!key.success) {
    throw new RiscStreamError(
      `GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE: ${file} is not a service account's JSON key (it needs client_email, private_key_id and private_key); download one under IAM → Service accounts → Keys`,
    );
  }
  return key.data;
}

/** The self-signed service-account JWT the management API takes as its bearer token. */
export async function signManagementToken(key: ServiceAccountKey, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.private_key_id })
    .setIssuer(key.client_email)
    .setSubject(key.client_email)
    .setAudience(RISC_MANAGEMENT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + TOKEN_LIFETIME_SECONDS)
    .sign(await importPKCS8(key.private_key, "RS256"));
}

export type RiscStreamOptions = {
  /** The API root, googleEndpoints(…).riscApi. */
  api: string;
  key: ServiceAccountKey;
  /** Who answers, for messages: "Google" or "the local Google at …". */
  target?: string;
  /** What to do when nothing answers. */
  unreachableFix?: string;
  now?: () => Date;
};

export type RiscStream = {
  readonly target: string;
  /** The current configuration, or undefined when none is registered. */
  readConfig(): Promise<StreamConfig | undefined>;
  updateConfig(config: StreamConfig): Promise<StreamConfig>;
  /** The stream's status, or undefined when no configuration is registered. */
  readStatus(): Promise<StreamStatus | undefined>;
  updateStatus(status: StreamStatus): Promise<void>;
  /** Asks Google to push a verification event carrying `state` to the receiver. */
  verify(state: string): Promise<void>;
};

const statusSchema = z.object({ status: z.enum(["enabled", "disabled"]) });
const googleErrorSchema = z.object({ error: z.object({ message: z.string().optional() }) });

export function createRiscStream(options: RiscStreamOptions): RiscStream {
  const target = options.target ?? "Google";
  const request = async (method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> => {
    const token = await signManagementToken(options.key, options.now?.());
    let response: Response;
    try {
      response = await fetch(`${options.api}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      const fix = options.unreachableFix ?? "check the network and try again";
      throw new RiscStreamError(`Could not reach ${target} (${options.api}: ${cause}); ${fix}`);
    }
    const text = await response.text();
    if (!response.ok) {
      const parsed = googleErrorSchema.safeParse(parseJson(text));
      const message = parsed.success ? (parsed.data.error.message ?? "") : text.slice(0, 200);
      throw new RiscStreamError(explainFailure(response.status, message, { target, body }), response.status, message);
    }
    return parseJson(text);
  };

  return {
    target,
    async readConfig() {
      try {
        return (await request("GET", "/stream")) as StreamConfig;
      } catch (error) {
        if (error instanceof RiscStreamError && error.httpStatus === 404) return undefined;
        throw error;
      }
    },
    async updateConfig(config) {
      return ((await request("POST", "/stream:update", config)) ?? config) as StreamConfig;
    },
    async readStatus() {
      try {
        const answer = statusSchema.safeParse(await request("GET", "/stream/status"));
        if (!answer.success) throw new RiscStreamError(`${target} answered the stream status in an unknown shape`);
        return answer.data.status;
      } catch (error) {
        if (error instanceof RiscStreamError && error.httpStatus === 404) return undefined;
        throw error;
      }
    },
    async updateStatus(status) {
      await request("POST", "/stream/status:update", { status });
    },
    async verify(state) {
      await request("POST", "/stream:verify", { state });
    },
  };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Google's answer as a sentence that says what to fix; the 403 cases follow Google's error reference. */
export function explainFailure(
  httpStatus: number,
  googleMessage: string,
  context: { target?: string; body?: unknown } = {},
): string {
  const target = context.target ?? "Google";
  const said = googleMessage ? ` (${target} said: ${googleMessage})` : "";
  const url = (context.body as StreamConfig | undefined)?.delivery?.url;
  if (httpStatus === 400) return `${target} found the request incomplete or malformed${said}`;
  if (httpStatus === 401)
    return `${target} did not accept the service account's token; check that GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE is a current key of the service account and that this machine's clock is right${said}`;
  if (httpStatus === 404)
    return `No security-event receiver is registered with ${target} yet; run \`npm run risc -- register\` first`;
  if (httpStatus === 403) return explainRefusal(googleMessage, target, url) + said;
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500)
    return `${target} could not handle the request right now (HTTP ${httpStatus}); try again in a few minutes${said}`;
  return `${target} answered HTTP ${httpStatus}${said}`;
}

// Most specific first: Google's messages name the receiver URL (an https one among them) and the project.
const REFUSALS: Array<{ test: RegExp; fix: (url: string | undefined) => string }> = [
  {
    test: /SERVICE_DISABLED|has not been used in project|API.*(is disabled|not enabled)|terms of service/i,
    fix: () =>
      "The RISC API is not enabled in the service account's Cloud project; enable risc.googleapis.com there (accepting the RISC Terms) and try again",
  },
  {
    test: /delivery method|firebase/i,
    fix: () =>
      "Firebase manages this project's security events (Google Sign-In is on in Firebase Authentication); turn that off, wait about an hour and register again",
  },
  {
    test: /authorized domain/i,
    fix: (url) =>
      `The receiver${url ? ` ${url}` : ""} is not on one of the Cloud project's authorized domains; add its domain on the OAuth consent screen (Branding → Authorized domains) or set AUTH_URL to an origin on one`,
  },
  {
    test: /https/i,
    fix: (url) =>
      `Google only delivers to an HTTPS receiver${url ? ` (not ${url})` : ""}; set AUTH_URL to your https origin`,
  },
  {
    test: /oauth client/i,
    fix: () =>
      "The service account's Cloud project has no OAuth client; use a service account from the project that holds AUTH_GOOGLE_ID's OAuth client",
  },
  {
    test: /project.*(not found|deleted|does not exist)/i,
    fix: () =>
      "Google found no Cloud project for this service account; use a key of a service account in the project that holds AUTH_GOOGLE_ID's OAuth client",
  },
  {
    test: /permission|role|riscconfigs/i,
    fix: () =>
      "The service account lacks the role RISC Configuration Admin (roles/riscconfigs.admin); grant it under IAM and try again (it can take a few minutes to apply)",
  },
  {
    test: /service account/i,
    fix: () =>
      "Only a service account may manage the stream; GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE must be a service account's JSON key",
  },
  { test: /status/i, fix: () => 'Google accepts only "enabled" or "disabled" as the stream status' },
];

function explainRefusal(googleMessage: string, target: string, url: string | undefined): string {
  const refusal = REFUSALS.find(({ test }) => test.test(googleMessage));
  return refusal ? refusal.fix(url) : `${target} refused the request; see the ${README_SECTION}`;
}

/** The URL Google pushes events to: AUTH_URL's origin, or where `npm run dev` serves the app when talking to the local Google. */
export function riscReceiverUrl(env: Pick<Env, "authUrl" | "google"> = getEnv()): string {
  if (env.authUrl) return `${new URL(env.authUrl).origin}${RISC_RECEIVER_PATH}`;
  if (env.google.baseUrl) return `${DEVELOPMENT_ORIGIN}${RISC_RECEIVER_PATH}`;
  throw new RiscStreamError(
    "AUTH_URL: missing; Google pushes security events to <AUTH_URL>/api/google/risc, so set it to your https origin",
  );
}

/** The stream of the Google this deployment uses, signed with the configured key (or the local Google's development key). */
export async function riscStreamFromEnv(
  env: Pick<Env, "google" | "riscServiceAccountKeyFile"> = getEnv(),
): Promise<RiscStream> {
  const { baseUrl } = env.google;
  let key: ServiceAccountKey;
  if (env.riscServiceAccountKeyFile) key = await loadServiceAccountKey(env.riscServiceAccountKeyFile);
  else if (baseUrl) key = DEV_RISC_SERVICE_ACCOUNT;
  else {
    throw new RiscStreamError(
      `GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE: missing; real Google needs a service account's JSON key to manage the security-event stream (see the ${README_SECTION})`,
    );
  }
  return createRiscStream({
    api: googleEndpoints(baseUrl).riscApi,
    key,
    target: baseUrl ? `the local Google at ${baseUrl}` : "Google",
    unreachableFix: baseUrl ? "start it with `npm run dev` or `npm run emulator`" : undefined,
  });
}

const EVERGREEN_EVENTS: string[] = Object.values(RISC_EVENT_TYPES);

/**
 * Points the stream at `receiverUrl` with Evergreen's events, keeping whatever else the current
 * configuration holds, and makes sure it is enabled.
 */
export async function registerReceiver(
  stream: RiscStream,
  receiverUrl: string,
): Promise<{ config: StreamConfig; status: StreamStatus; enabledNow: boolean }> {
  const current = await stream.readConfig();
  const config = await stream.updateConfig({
    ...current,
    delivery: { ...current?.delivery, delivery_method: RISC_PUSH_DELIVERY, url: receiverUrl },
    events_requested: EVERGREEN_EVENTS,
  });
  const enabledNow = (await stream.readStatus()) !== "enabled";
  if (enabledNow) await stream.updateStatus("enabled");
  return { config, status: "enabled", enabledNow };
}

export type StreamSummary = {
  receiverUrl?: string;
  events: string[];
  /** Evergreen's events the stream does not request. */
  missingEvents: RiscEventType[];
  status?: StreamStatus;
};

/** What is registered, or undefined when nothing is. */
export async function describeStream(stream: RiscStream): Promise<StreamSummary | undefined> {
  const config = await stream.readConfig();
  if (!config) return undefined;
  const events = config.events_requested ?? [];
  return {
    receiverUrl: config.delivery?.url,
    events,
    missingEvents: Object.values(RISC_EVENT_TYPES).filter((type) => !events.includes(type)),
    status: await stream.readStatus(),
  };
}

/** Asks Google for a verification event; returns the `state` it will carry. */
export async function sendVerification(
  stream: RiscStream,
  state = randomBytes(12).toString("base64url"),
): Promise<string> {
  await stream.verify(state);
  return state;
}

/** The last path segment of an event-type URI, e.g. "tokens-revoked". */
export function eventShortName(uri: string): string {
  return uri.slice(uri.lastIndexOf("/") + 1);
}
