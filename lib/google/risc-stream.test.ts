import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { DEV_RISC_SERVICE_ACCOUNT } from "./dev-service-account";
import {
  createRiscStream,
  describeStream,
  explainFailure,
  loadServiceAccountKey,
  registerReceiver,
  RISC_EVENT_TYPES,
  RISC_MANAGEMENT_AUDIENCE,
  RISC_PUSH_DELIVERY,
  RISC_RECEIVER_PATH,
  riscReceiverUrl,
  riscStreamFromEnv,
  sendVerification,
  signManagementToken,
  type RiscStream,
  type StreamConfig,
} from "./risc-stream";

const google = { clientId: "id", clientSecret: "secret" };

function keyFile(contents: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "evergreen-risc-")), "key.json");
  writeFileSync(file, contents);
  return file;
}

describe("the management token", () => {
  it("is an RS256 JWT the service account signs for itself, for the RISC management API, good for an hour", async () => {
    const now = new Date("2026-12-01T10:00:00Z");
    const token = await signManagementToken(DEV_RISC_SERVICE_ACCOUNT, now);

    expect(decodeProtectedHeader(token)).toEqual({
      alg: "RS256",
      typ: "JWT",
      kid: DEV_RISC_SERVICE_ACCOUNT.private_key_id,
    });
    const publicKey = createPublicKey(DEV_RISC_SERVICE_ACCOUNT.private_key);
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ["RS256"],
      currentDate: now,
      issuer: DEV_RISC_SERVICE_ACCOUNT.client_email,
      subject: DEV_RISC_SERVICE_ACCOUNT.client_email,
      audience: RISC_MANAGEMENT_AUDIENCE,
    });
    expect(payload.aud).toBe("https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService");
    expect(payload.iat).toBe(now.getTime() / 1000);
    expect(payload.exp).toBe(payload.iat! + 3600);
  });
});

describe("the events Evergreen asks for", () => {
  it("are Google's seven, the two token events under oauth/ and the rest under risc/", () => {
    expect(Object.values(RISC_EVENT_TYPES).sort()).toEqual([
      "https://schemas.openid.net/secevent/oauth/event-type/token-revoked",
      "https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked",
      "https://schemas.openid.net/secevent/risc/event-type/account-credential-change-required",
      "https://schemas.openid.net/secevent/risc/event-type/account-disabled",
      "https://schemas.openid.net/secevent/risc/event-type/account-enabled",
      "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked",
      "https://schemas.openid.net/secevent/risc/event-type/verification",
    ]);
  });
});

describe("the receiver URL", () => {
  it("is AUTH_URL's origin plus /api/google/risc", () => {
    expect(riscReceiverUrl({ authUrl: "https://crm.example.com/app?x=1", google })).toBe(
      "https://crm.example.com/api/google/risc",
    );
  });

  it("is the dev server's with the local Google, and needs AUTH_URL with real Google", () => {
    expect(riscReceiverUrl({ google: { ...google, baseUrl: "http://127.0.0.1:4010" } })).toBe(
      "http://localhost:3000/api/google/risc",
    );
    expect(() => riscReceiverUrl({ google })).toThrow(/^AUTH_URL: missing/);
  });
});

describe("the service account key", () => {
  it("is the local Google's development key when none is configured, and required for real Google", async () => {
    const local = await riscStreamFromEnv({ google: { ...google, baseUrl: "http://127.0.0.1:4010" } });
    expect(local.target).toBe("the local Google at http://127.0.0.1:4010");
    await expect(riscStreamFromEnv({ google })).rejects.toThrow(
      /^GOOGLE_RISC_SERVICE_ACCOUNT_KEY_FILE: missing; .*README, "Google's security events \(Cross-Account Protection\)"/,
    );
  });

  it("is read from the configured file, and a missing or foreign file is named", async () => {
    const file = keyFile(
      JSON.stringify({ ...DEV_RISC_SERVICE_ACCOUNT, client_email: "risc@prod.iam.gserviceaccount.com" }),
    );
    expect((await loadServiceAccountKey(file)).client_email).toBe("risc@prod.iam.gserviceaccount.com");
    await expect(loadServiceAccountKey(`${file}.missing`)).rejects.toThrow(/cannot read .* \(ENOENT\)/);
    await expect(loadServiceAccountKey(keyFile('{"type":"authorized_user"}'))).rejects.toThrow(
      /is not a service account's JSON key/,
    );
    await expect(loadServiceAccountKey(keyFile("not json"))).rejects.toThrow(/is not a service account's JSON key/);
  });
});

describe("Google's refusals, as what to fix", () => {
  const register = { body: { delivery: { url: "http://crm.example.com/api/google/risc" } } };

  it.each([
    ["Delivery URL must use HTTPS", /^Google only delivers to an HTTPS receiver .*set AUTH_URL to your https origin/],
    ["Delivery URL https://x.example/ is not on an authorized domain", /authorized domains; add its domain/],
    ["Project has no OAuth client", /no OAuth client/],
    ["Permission riscconfigs.streams.update denied", /roles\/riscconfigs\.admin/],
    ["Caller is not a service account", /must be a service account's JSON key/],
    ["Project not found", /no Cloud project for this service account/],
    [
      "RISC API has not been used in project 123 before or it is disabled.",
      /enable risc\.googleapis\.com there \(accepting the RISC Terms\)/,
    ],
    ["Existing stream configuration does not have a spec-compliant delivery method", /Firebase manages/],
  ])("403 %j", (message, sentence) => {
    expect(explainFailure(403, message, register)).toMatch(sentence);
  });

  it("names the fix for the other answers too", () => {
    expect(explainFailure(401, "")).toMatch(/did not accept the service account's token/);
    expect(explainFailure(404, "", { target: "the local Google at http://127.0.0.1:4010" })).toBe(
      "No security-event receiver is registered with the local Google at http://127.0.0.1:4010 yet; run `npm run risc -- register` first",
    );
    expect(explainFailure(400, "events_requested is required")).toMatch(/events_requested is required/);
    expect(explainFailure(503, "")).toMatch(/try again in a few minutes/);
  });
});

describe("registering keeps what Google returns", () => {
  it("sends back fields Evergreen does not know, with its receiver and events, then enables the stream", async () => {
    const updates: StreamConfig[] = [];
    const statuses: string[] = [];
    const stream: RiscStream = {
      target: "Google",
      readConfig: async () => ({
        delivery: { delivery_method: RISC_PUSH_DELIVERY, url: "https://old.example.com/risc", note: "kept" },
        events_requested: [RISC_EVENT_TYPES.verification],
        events_delivered: [RISC_EVENT_TYPES.verification],
      }),
      updateConfig: async (config) => {
        updates.push(config);
        return config;
      },
      readStatus: async () => "disabled",
      updateStatus: async (status) => void statuses.push(status),
      verify: async () => undefined,
    };

    const result = await registerReceiver(stream, "https://crm.example.com/api/google/risc");

    expect(updates).toEqual([
      {
        delivery: { delivery_method: RISC_PUSH_DELIVERY, url: "https://crm.example.com/api/google/risc", note: "kept" },
        events_requested: Object.values(RISC_EVENT_TYPES),
        events_delivered: [RISC_EVENT_TYPES.verification],
      },
    ]);
    expect(statuses).toEqual(["enabled"]);
    expect(result).toMatchObject({ status: "enabled", enabledNow: true });
  });
});

/** A receiver on a free loopback port that answers 202 and keeps every SET. */
async function startReceiver(): Promise<{ url: string; sets: string[]; close: () => Promise<void> }> {
  const sets: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      sets.push(body);
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${RISC_RECEIVER_PATH}`,
    sets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("the stream at the local Google", () => {
  const emulator = setupEmulator();
  const stream = () => createRiscStream({ api: `${emulator.url}/v1beta`, key: DEV_RISC_SERVICE_ACCOUNT });

  it("is registered with Evergreen's events and enabled, and disable stops it until the next register", async () => {
    expect(await describeStream(stream())).toBeUndefined();

    expect(await registerReceiver(stream(), "http://localhost:3000/api/google/risc")).toMatchObject({
      status: "enabled",
    });
    expect(await describeStream(stream())).toEqual({
      receiverUrl: "http://localhost:3000/api/google/risc",
      events: Object.values(RISC_EVENT_TYPES),
      missingEvents: [],
      status: "enabled",
    });

    await stream().updateStatus("disabled");
    expect((await describeStream(stream()))?.status).toBe("disabled");
    expect(await registerReceiver(stream(), "http://localhost:3000/api/google/risc")).toMatchObject({
      enabledNow: true,
    });
    expect(await stream().readStatus()).toBe("enabled");
  });

  it("pushes a verification event carrying the state to the receiver", async () => {
    const receiver = await startReceiver();
    try {
      await registerReceiver(stream(), receiver.url);
      const state = await sendVerification(stream());
      await expect.poll(() => receiver.sets.length).toBe(1);
      const { events } = decodeJwt(receiver.sets[0]!) as { events: Record<string, { state?: string }> };
      expect(events[RISC_EVENT_TYPES.verification]?.state).toBe(state);
    } finally {
      await receiver.close();
    }
  });

  it("turns Google's refusals into what to fix", async () => {
    await expect(sendVerification(stream())).rejects.toThrow(
      "No security-event receiver is registered with Google yet; run `npm run risc -- register` first",
    );
    await expect(registerReceiver(stream(), "http://crm.example.com/api/google/risc")).rejects.toThrow(
      "Google only delivers to an HTTPS receiver (not http://crm.example.com/api/google/risc); set AUTH_URL to your https origin",
    );
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const stranger = createRiscStream({
      api: `${emulator.url}/v1beta`,
      key: { ...DEV_RISC_SERVICE_ACCOUNT, private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
    });
    await expect(stranger.readConfig()).rejects.toThrow(/did not accept the service account's token/);
  });

  it("says how to start the local Google when nothing answers", async () => {
    const closed = await startReceiver();
    await closed.close();
    const origin = new URL(closed.url).origin;
    const unreachable = await riscStreamFromEnv({ google: { ...google, baseUrl: origin } });
    await expect(unreachable.readStatus()).rejects.toThrow(
      `Could not reach the local Google at ${origin} (${origin}/v1beta: ECONNREFUSED); start it with \`npm run dev\` or \`npm run emulator\``,
    );
  });
});
