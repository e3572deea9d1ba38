import { gmail } from "@googleapis/gmail";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startGoogleEmulator } from "./index";
import { DEV_CLIENT } from "./seed";
import { connect, control, oauthClient, TestBrowser, setupEmulator } from "./test-support";

const env = setupEmulator();
const raw = Buffer.from("To: bob@example.com\r\nSubject: Fault test\r\n\r\nbody").toString("base64url");

async function sender() {
  const { client, tokens } = await connect(env.url);
  client.setCredentials(tokens);
  return gmail({ version: "v1", auth: client, rootUrl: `${env.url}/` });
}

const messageCount = async () => (await control<{ messages: unknown[] }>(env.url, "/messages")).messages.length;

describe("faults", () => {
  it("respond: the next N calls get the programmed status; the library's retry of auth calls then succeeds", async () => {
    await control(env.url, "/faults", { body: { endpoint: "token", count: 1, status: 503 } });
    const { tokens } = await connect(env.url);
    expect(tokens.access_token).toBeTruthy();
    expect((await control<{ calls: Record<string, number> }>(env.url, "/calls")).calls.token).toBe(2);
  });

  it("respond on gmail.send: a Google-shaped 500 that POST sends do not retry; nothing was sent", async () => {
    const api = await sender();
    await control(env.url, "/faults", { body: { endpoint: "gmail.send", count: 1, status: 500 } });
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).rejects.toMatchObject({ status: 500, message: "Backend Error" });
    expect(await messageCount()).toBe(0);
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).resolves.toMatchObject({ status: 200 });
  });

  it("respond with a custom body and headers", async () => {
    await control(env.url, "/faults", { body: { endpoint: "userinfo", status: 418, body: { custom: true }, headers: { "x-fault": "yes" } } });
    const response = await fetch(`${env.url}/v1/userinfo`);
    expect([response.status, response.headers.get("x-fault"), await response.json()]).toEqual([418, "yes", { custom: true }]);
  });

  it("drop-before: the connection closes without an answer and nothing is sent", async () => {
    const api = await sender();
    await control(env.url, "/faults", { body: { endpoint: "gmail.send", count: 1, mode: "drop-before" } });
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).rejects.toThrow();
    expect(await messageCount()).toBe(0);
  });

  it("drop-after: the mail really goes out, then the connection closes (accepted, then failed)", async () => {
    const api = await sender();
    await control(env.url, "/faults", { body: { endpoint: "gmail.send", count: 1, mode: "drop-after" } });
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).rejects.toThrow();
    expect(await messageCount()).toBe(1);
  });

  it("delayMs slows the call down, then handles it normally", async () => {
    const api = await sender();
    await control(env.url, "/faults", { body: { endpoint: "gmail.send", delayMs: 300 } });
    const started = Date.now();
    await api.users.messages.send({ userId: "me", requestBody: { raw } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("faults can be listed and cleared; bad faults are refused", async () => {
    await control(env.url, "/faults", { body: { endpoint: "revoke", count: 3, status: 500 } });
    expect((await control<{ faults: unknown[] }>(env.url, "/faults")).faults).toHaveLength(1);
    await control(env.url, "/faults", { method: "DELETE" });
    expect((await control<{ faults: unknown[] }>(env.url, "/faults")).faults).toHaveLength(0);
    const bad = await fetch(`${env.url}/__emulator/faults`, { method: "POST", body: JSON.stringify({ endpoint: "nowhere" }) });
    expect(bad.status).toBe(400);
  });
});

describe("control API", () => {
  it("seeds users and clients that the screens and token endpoint then use", async () => {
    await control(env.url, "/users", { body: { email: "linus@example.org", name: "Linus Torvalds" } });
    const testClient = { id: "qa.apps.googleusercontent.com", secret: "qa-secret", redirectUri: "http://localhost:5000/callback" };
    await control(env.url, "/clients", { body: { id: testClient.id, secret: testClient.secret, redirectUris: [testClient.redirectUri], publishingStatus: "testing" } });
    const { client, tokens } = await connect(env.url, { client: oauthClient(env.url, testClient), account: "linus@example.org" });
    const ticket = await client.verifyIdToken({ idToken: tokens.id_token ?? "", audience: testClient.id });
    expect(ticket.getPayload()).toMatchObject({ email: "linus@example.org", name: "Linus Torvalds", given_name: "Linus", family_name: "Torvalds" });
    expect(ticket.getPayload()?.sub).toMatch(/^\d+$/);
  });

  it("lists grants and tokens, and counts calls per endpoint", async () => {
    await connect(env.url);
    const { grants } = await control<{ grants: { user: string; projectId: string; scopes: string[] }[] }>(env.url, "/grants");
    expect(grants).toEqual([expect.objectContaining({ user: "ada@evergreen.test", projectId: DEV_CLIENT.id })]);
    const tokens = await control<{ refreshTokens: { user: string; clientId: string; alive: boolean; createdAt: string }[]; accessTokens: unknown[] }>(env.url, "/tokens");
    expect(tokens.refreshTokens).toEqual([expect.objectContaining({ user: "ada@evergreen.test", clientId: DEV_CLIENT.id, alive: true })]);
    expect(tokens.accessTokens).toHaveLength(1);
    const { calls } = await control<{ calls: Record<string, number> }>(env.url, "/calls");
    expect(calls).toMatchObject({ authorize: 1, "authorize.account": 1, "authorize.consent": 1, token: 1 });
  });

  it("reset returns to the seed: clients, users, tokens, config, clock and faults", async () => {
    await connect(env.url);
    await control(env.url, "/config", { body: { accessTokenTtlSeconds: 5 } });
    await control(env.url, "/clock", { body: { advanceSeconds: 1000 } });
    await control(env.url, "/users", { body: { email: "temp@example.org" } });
    await control(env.url, "/reset", { body: {} });
    expect((await control<{ users: unknown[] }>(env.url, "/users")).users).toHaveLength(2);
    expect((await control<{ refreshTokens: unknown[] }>(env.url, "/tokens")).refreshTokens).toHaveLength(0);
    expect((await control<{ config: { accessTokenTtlSeconds: number } }>(env.url, "/config")).config.accessTokenTtlSeconds).toBe(3599);
    expect((await control<{ offsetSeconds: number }>(env.url, "/clock")).offsetSeconds).toBe(0);
  });

  it("refuses unknown config keys and mistyped values", async () => {
    expect((await fetch(`${env.url}/__emulator/config`, { method: "POST", body: JSON.stringify({ nope: 1 }) })).status).toBe(400);
    expect((await fetch(`${env.url}/__emulator/config`, { method: "POST", body: JSON.stringify({ accessTokenTtlSeconds: "5" }) })).status).toBe(400);
  });

  it("the mailbox page lists sent mail newest first and opens a message", async () => {
    const api = await sender();
    await api.users.messages.send({ userId: "me", requestBody: { raw: Buffer.from("To: bob@example.com\r\nSubject: Older\r\n\r\nfirst").toString("base64url") } });
    await control(env.url, "/clock", { body: { advanceSeconds: 5 } });
    const { data } = await api.users.messages.send({ userId: "me", requestBody: { raw: Buffer.from("To: Bob <bob@example.com>\r\nSubject: Newer & better\r\n\r\nsecond body").toString("base64url") } });
    const page = await (await fetch(`${env.url}/__emulator/`)).text();
    expect(page.indexOf("Newer &#38; better")).toBeGreaterThan(-1);
    expect(page.indexOf("Newer &#38; better")).toBeLessThan(page.indexOf("Older"));
    expect(page).toContain("Ada Lovelace");
    expect(page).toContain(DEV_CLIENT.id);
    const view = await (await fetch(`${env.url}/__emulator/messages/${data.id}`)).text();
    expect(view).toContain("second body");
    expect(view).toContain("bob@example.com");
  });
});

describe("state file", () => {
  it("keeps refresh tokens and the signing key across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "google-emulator-"));
    const stateFile = join(dir, "state.json");
    try {
      const first = await startGoogleEmulator({ port: 0, stateFile });
      const { tokens } = await connect(first.url);
      const kidBefore = Object.keys((await (await fetch(`${first.url}/oauth2/v1/certs`)).json()) as object);
      await first.close();
      expect(JSON.parse(readFileSync(stateFile, "utf8"))).toMatchObject({ version: 1 });

      const second = await startGoogleEmulator({ port: 0, stateFile });
      try {
        const client = oauthClient(second.url);
        client.setCredentials({ refresh_token: tokens.refresh_token ?? null });
        await expect(client.refreshAccessToken()).resolves.toBeTruthy();
        expect(Object.keys((await (await fetch(`${second.url}/oauth2/v1/certs`)).json()) as object)).toEqual(kidBefore);
        // The consent is remembered too: no consent screen this time.
        const again = await connect(second.url, { browser: new TestBrowser(second.url) });
        expect(again.outcome.screens).toEqual(["chooser"]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
