import { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DEV_RISC_SERVICE_ACCOUNT } from "../../lib/google/dev-service-account";
import { DEV_CLIENT } from "../seed";
import { setupEmulator } from "../vitest-setup";
import { EVENT_TYPES, PUSH_DELIVERY } from "./events";
import { serviceAccountJwt, type ServiceAccountKey } from "./register-stream";
import { SetReceiver } from "./set-receiver";

const env = setupEmulator();
let receiver: SetReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function call(path: string, init: { body?: unknown; token?: string | null } = {}) {
  const token = init.token === undefined ? await serviceAccountJwt() : init.token;
  const response = await fetch(`${env.url}/v1beta/${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const config = (url: string, events: string[] = [EVENT_TYPES.verification]) => ({
  delivery: { delivery_method: PUSH_DELIVERY, url },
  events_requested: events,
});

/** A service account of another project, registered through the control API. */
async function otherServiceAccount(projectId: string): Promise<ServiceAccountKey> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = {
    client_email: `risc@${projectId}.iam.gserviceaccount.com`,
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  await env.control.addServiceAccount({
    email: key.client_email,
    keyId: key.private_key_id,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    projectId,
  });
  return key;
}

describe("RISC discovery", () => {
  it("serves Google's field names at this emulator's URLs, issuer = the OIDC issuer", async () => {
    const doc = (await (await fetch(`${env.url}/.well-known/risc-configuration`)).json()) as Record<string, unknown>;
    const oidc = (await (await fetch(`${env.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(doc).toEqual({
      issuer: oidc.issuer,
      jwks_uri: `${env.url}/oauth2/v3/certs`,
      delivery_methods_supported: ["http://schemas.openid.net/secevent/risc/delivery-method/push"],
      add_subject_endpoint: `${env.url}/v1beta/subjects:add`,
      remove_subject_endpoint: `${env.url}/v1beta/subjects:remove`,
      get_configuration_endpoint: `${env.url}/v1beta/stream`,
      update_configuration_endpoint: `${env.url}/v1beta/stream:update`,
      get_status_endpoint: `${env.url}/v1beta/stream/status`,
      update_status_endpoint: `${env.url}/v1beta/stream/status:update`,
      verification_endpoint: `${env.url}/v1beta/stream:verify`,
    });
    expect((await env.control.calls())["risc.discovery"]).toBe(1);
  });

  it("riscIssuerTrailingSlash adds the slash to the document's issuer", async () => {
    await env.control.configure({ riscIssuerTrailingSlash: true });
    const doc = (await (await fetch(`${env.url}/.well-known/risc-configuration`)).json()) as { issuer: string };
    expect(doc.issuer).toBe(`${env.url}/`);
  });
});

describe("RISC management API authentication", () => {
  it("refuses a missing, wrongly addressed, expired, over-long or unknown-key token with 401", async () => {
    const { client_email } = DEV_RISC_SERVICE_ACCOUNT;
    const now = Math.floor(Date.now() / 1000);
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const tokens = [
      null,
      "not-a-jwt",
      await serviceAccountJwt(undefined, { audience: "https://oauth2.googleapis.com/token" }),
      await serviceAccountJwt(undefined, { iat: now - 7200 }),
      await serviceAccountJwt(undefined, { lifetimeSeconds: 7200 }),
      await serviceAccountJwt({ ...DEV_RISC_SERVICE_ACCOUNT, private_key_id: "f".repeat(40) }),
      await serviceAccountJwt({
        ...DEV_RISC_SERVICE_ACCOUNT,
        private_key: stranger.export({ type: "pkcs8", format: "pem" }).toString(),
      }),
      await serviceAccountJwt({ ...DEV_RISC_SERVICE_ACCOUNT, client_email: `x${client_email}` }),
    ];
    for (const token of tokens) {
      const { status, body } = await call("stream", { token });
      expect({ status, error: (body.error as { status: string }).status }).toEqual({
        status: 401,
        error: "UNAUTHENTICATED",
      });
    }
  });

  it("follows the emulator's clock for expiry", async () => {
    const token = await serviceAccountJwt();
    await env.control.advanceClock(3601);
    expect((await call("stream", { token })).status).toBe(401);
  });

  it("answers 403 for a service account whose project has no OAuth client", async () => {
    const key = await otherServiceAccount("lonely-project");
    const { status, body } = await call("stream:update", {
      token: await serviceAccountJwt(key),
      body: config("https://receiver.example/risc"),
    });
    expect(status).toBe(403);
    expect(body.error).toMatchObject({ code: 403, status: "PERMISSION_DENIED" });
  });
});

describe("RISC stream configuration", () => {
  it("404 before any stream:update, then stores, reads back and reports the status", async () => {
    for (const path of ["stream", "stream/status"]) expect((await call(path)).status).toBe(404);
    expect((await call("stream/status:update", { body: { status: "disabled" } })).status).toBe(404);
    expect((await call("stream:verify", { body: { state: "x" } })).status).toBe(404);

    const stored = await call("stream:update", {
      body: config("https://receiver.example/risc", [EVENT_TYPES["tokens-revoked"], "urn:example:unknown"]),
    });
    expect(stored).toEqual({
      status: 200,
      body: config("https://receiver.example/risc", [EVENT_TYPES["tokens-revoked"], "urn:example:unknown"]),
    });
    expect((await call("stream")).body).toEqual({
      ...config("https://receiver.example/risc", [EVENT_TYPES["tokens-revoked"], "urn:example:unknown"]),
      events_delivered: [EVENT_TYPES["tokens-revoked"]],
    });
    expect((await call("stream/status")).body).toEqual({ status: "enabled" });
    expect(await call("stream/status:update", { body: { status: "disabled" } })).toEqual({
      status: 200,
      body: { status: "disabled" },
    });
    // Updating the config keeps the status.
    await call("stream:update", { body: config("https://receiver.example/v2") });
    expect((await call("stream/status")).body).toEqual({ status: "disabled" });
    expect(await env.control.riscStreams()).toEqual([
      expect.objectContaining({ projectId: DEV_CLIENT.id, status: "disabled" }),
    ]);
    expect(await env.control.calls()).toMatchObject({ "risc.stream": 4, "risc.status": 5, "risc.verify": 1 });
  });

  it("names the missing field with 400, refuses non-HTTPS URLs and unsupported statuses with 403", async () => {
    const missing = async (body: unknown) => (await call("stream:update", { body })).body.error as { message: string };
    expect((await missing({ events_requested: [] })).message).toMatch(/: delivery$/);
    expect((await missing({ delivery: { url: "https://a.example" }, events_requested: [] })).message).toMatch(
      /delivery\.delivery_method$/,
    );
    expect((await missing({ delivery: { delivery_method: PUSH_DELIVERY }, events_requested: [] })).message).toMatch(
      /delivery\.url$/,
    );
    expect((await missing({ delivery: config("https://a.example").delivery })).message).toMatch(/events_requested$/);
    expect((await call("stream:update", { body: { events_requested: [] } })).status).toBe(400);

    expect((await call("stream:update", { body: config("http://receiver.example/risc") })).status).toBe(403);
    expect((await call("stream:update", { body: config("http://127.0.0.1:9/risc") })).status).toBe(200);
    expect((await call("stream:update", { body: config("http://[::1]:9/risc") })).status).toBe(200);
    await env.control.configure({ riscAllowHttpLoopback: false });
    const loopback = await call("stream:update", { body: config("http://localhost:9/risc") });
    expect(loopback.status).toBe(403);
    expect(loopback.body.error).toMatchObject({ status: "PERMISSION_DENIED" });

    expect((await call("stream/status:update", { body: { status: "paused" } })).status).toBe(403);
    expect((await call("stream/status:update", { body: {} })).status).toBe(400);
  });

  it("stream:verify answers 200 {} and pushes a verification SET with the state, only when subscribed", async () => {
    receiver = await SetReceiver.start(env.url);
    await call("stream:update", { body: config(receiver.url, [EVENT_TYPES["tokens-revoked"]]) });
    expect(await call("stream:verify", { body: { state: "nonce-1" } })).toEqual({ status: 200, body: {} });
    await env.control.riscFlush();
    expect(receiver.received).toHaveLength(0);

    await call("stream:update", { body: config(receiver.url) });
    expect((await call("stream:verify", { body: { state: "nonce-2" } })).status).toBe(200);
    const [set] = await receiver.waitFor(1);
    expect(set?.payload).toMatchObject({ iss: env.url, aud: DEV_CLIENT.id });
    expect(set?.eventType).toBe(EVENT_TYPES.verification);
    expect(set?.event).toEqual({ state: "nonce-2" });
    expect(set?.header).toEqual({ alg: "RS256", kid: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(set?.headers["content-type"]).toBe("application/secevent+jwt");
    expect(set?.headers.accept).toBe("application/json");
    await env.control.riscFlush();
    expect(await env.control.riscDeliveries()).toEqual([
      expect.objectContaining({ eventType: EVENT_TYPES.verification, userEmail: null, outcome: "accepted" }),
    ]);
  });

  it("faults on the management endpoints answer Google-shaped errors", async () => {
    await env.control.addFault({ endpoint: "risc.stream", status: 503 });
    const { status, body } = await call("stream");
    expect(status).toBe(503);
    expect(body.error).toMatchObject({ code: 503, status: "INTERNAL" });
  });
});
