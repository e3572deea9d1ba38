import { gmail } from "@googleapis/gmail";
import { describe, expect, it } from "vitest";
import { connect } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();
const raw = Buffer.from("To: bob@example.com\r\nSubject: Fault test\r\n\r\nbody").toString("base64url");

async function sender() {
  const { client, tokens } = await connect(env.url);
  client.setCredentials(tokens);
  return gmail({ version: "v1", auth: client, rootUrl: `${env.url}/` });
}

const messageCount = async () => (await env.control.messages()).length;

describe("faults", () => {
  it("respond: the next N calls get the programmed status; the library's retry of auth calls then succeeds", async () => {
    await env.control.addFault({ endpoint: "token", count: 1, status: 503 });
    const { tokens } = await connect(env.url);
    expect(tokens.access_token).toBeTruthy();
    expect((await env.control.calls()).token).toBe(2);
  });

  it("respond on gmail.send: a Google-shaped 500 that POST sends do not retry; nothing was sent", async () => {
    const api = await sender();
    await env.control.addFault({ endpoint: "gmail.send", count: 1, status: 500 });
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).rejects.toMatchObject({
      status: 500,
      message: "Backend Error",
    });
    expect(await messageCount()).toBe(0);
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).resolves.toMatchObject({
      status: 200,
    });
  });

  it("respond with a custom body and headers", async () => {
    await env.control.addFault({
      endpoint: "userinfo",
      status: 418,
      body: { custom: true },
      headers: { "x-fault": "yes" },
    });
    const response = await fetch(`${env.url}/v1/userinfo`);
    expect([response.status, response.headers.get("x-fault"), await response.json()]).toEqual([
      418,
      "yes",
      { custom: true },
    ]);
  });

  it("drop-before: the connection closes without an answer and nothing is sent", async () => {
    const api = await sender();
    await env.control.addFault({ endpoint: "gmail.send", count: 1, mode: "drop-before" });
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).rejects.toThrow();
    expect(await messageCount()).toBe(0);
  });

  it("drop-after: the mail really goes out, then the connection closes (accepted, then failed)", async () => {
    const api = await sender();
    await env.control.addFault({ endpoint: "gmail.send", count: 1, mode: "drop-after" });
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).rejects.toThrow();
    expect(await messageCount()).toBe(1);
  });

  it("delayMs slows the call down, then handles it normally", async () => {
    const api = await sender();
    await env.control.addFault({ endpoint: "gmail.send", delayMs: 300 });
    const started = Date.now();
    await api.users.messages.send({ userId: "me", requestBody: { raw } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("faults can be listed and cleared; bad faults are refused", async () => {
    await env.control.addFault({ endpoint: "revoke", count: 3, status: 500 });
    expect(await env.control.faults()).toHaveLength(1);
    await env.control.clearFaults();
    expect(await env.control.faults()).toHaveLength(0);
    const bad = await fetch(`${env.url}/__emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ endpoint: "nowhere" }),
    });
    expect(bad.status).toBe(400);
  });
});
