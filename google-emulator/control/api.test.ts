import { gmail } from "@googleapis/gmail";
import { describe, expect, it } from "vitest";
import { DEV_CLIENT } from "../seed";
import { connect, oauthClient } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();

async function sender() {
  const { client, tokens } = await connect(env.url);
  client.setCredentials(tokens);
  return gmail({ version: "v1", auth: client, rootUrl: `${env.url}/` });
}

describe("control API", () => {
  it("seeds users and clients that the screens and token endpoint then use", async () => {
    await env.control.addUser({ email: "linus@example.org", name: "Linus Torvalds" });
    const testClient = {
      id: "qa.apps.googleusercontent.com",
      secret: "qa-secret",
      redirectUri: "http://localhost:5000/callback",
    };
    await env.control.addClient({
      id: testClient.id,
      secret: testClient.secret,
      redirectUris: [testClient.redirectUri],
      publishingStatus: "testing",
    });
    const { client, tokens } = await connect(env.url, {
      client: oauthClient(env.url, testClient),
      account: "linus@example.org",
    });
    const ticket = await client.verifyIdToken({ idToken: tokens.id_token ?? "", audience: testClient.id });
    expect(ticket.getPayload()).toMatchObject({
      email: "linus@example.org",
      name: "Linus Torvalds",
      given_name: "Linus",
      family_name: "Torvalds",
    });
    expect(ticket.getPayload()?.sub).toMatch(/^\d+$/);
  });

  it("lists grants and tokens, and counts calls per endpoint", async () => {
    await connect(env.url);
    const grants = await env.control.grants();
    expect(grants).toEqual([expect.objectContaining({ user: "ada@evergreen.test", projectId: DEV_CLIENT.id })]);
    const tokens = await env.control.tokens();
    expect(tokens.refreshTokens).toEqual([
      expect.objectContaining({ user: "ada@evergreen.test", clientId: DEV_CLIENT.id, alive: true }),
    ]);
    expect(tokens.accessTokens).toHaveLength(1);
    const calls = await env.control.calls();
    expect(calls).toMatchObject({ authorize: 1, "authorize.account": 1, "authorize.consent": 1, token: 1 });
  });

  it("reset returns to the seed: clients, users, tokens, config, clock and faults", async () => {
    await connect(env.url);
    await env.control.configure({ accessTokenTtlSeconds: 5 });
    await env.control.advanceClock(1000);
    await env.control.addUser({ email: "temp@example.org" });
    await env.control.reset();
    expect(await env.control.users()).toHaveLength(2);
    expect((await env.control.tokens()).refreshTokens).toHaveLength(0);
    expect((await env.control.config()).accessTokenTtlSeconds).toBe(3599);
    expect((await env.control.clock()).offsetSeconds).toBe(0);
  });

  it("refuses unknown config keys and mistyped values", async () => {
    expect(
      (await fetch(`${env.url}/__emulator/config`, { method: "POST", body: JSON.stringify({ nope: 1 }) })).status,
    ).toBe(400);
    expect(
      (
        await fetch(`${env.url}/__emulator/config`, {
          method: "POST",
          body: JSON.stringify({ accessTokenTtlSeconds: "5" }),
        })
      ).status,
    ).toBe(400);
  });

  it("the mailbox page lists sent mail newest first and opens a message", async () => {
    const api = await sender();
    await api.users.messages.send({
      userId: "me",
      requestBody: { raw: Buffer.from("To: bob@example.com\r\nSubject: Older\r\n\r\nfirst").toString("base64url") },
    });
    await env.control.advanceClock(5);
    const { data } = await api.users.messages.send({
      userId: "me",
      requestBody: {
        raw: Buffer.from("To: Bob <bob@example.com>\r\nSubject: Newer & better\r\n\r\nsecond body").toString(
          "base64url",
        ),
      },
    });
    const page = await (await fetch(`${env.url}/__emulator/`)).text();
    expect(page.indexOf("Newer &#38; better")).toBeGreaterThan(-1);
    expect(page.indexOf("Newer &#38; better")).toBeLessThan(page.indexOf("Older"));
    expect(page).toContain("Ada Lovelace");
    expect(page).toContain(DEV_CLIENT.id);
    const view = await (await fetch(`${env.url}/__emulator/messages/${data.id}`)).text();
    expect(view).toContain("second body");
    expect(view).toContain("bob@example.com");
  });

  it("shows a message's HTML part sanitized, in a sandboxed frame whose document runs nothing", async () => {
    const api = await sender();
    const html = `<p style="color: red">Hi <b>Bob</b></p><img src=x onerror=alert(1)><script>alert(2)</script>`;
    const raw = `To: bob@example.com\r\nSubject: Styled\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`;
    const { data } = await api.users.messages.send({
      userId: "me",
      requestBody: { raw: Buffer.from(raw).toString("base64url") },
    });
    const page = await fetch(`${env.url}/__emulator/messages/${data.id}`);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'.*frame-src 'self'/);
    expect(await page.text()).toContain(`<iframe class="email" sandbox="" src="/__emulator/messages/${data.id}/html"`);

    const part = await fetch(`${env.url}/__emulator/messages/${data.id}/html`);
    expect(part.headers.get("content-security-policy")).toMatch(/^sandbox; default-src 'none';/);
    const body = await part.text();
    expect(body).toContain('<p style="color:red">Hi <b>Bob</b></p>');
    expect(body).not.toMatch(/onerror|<script|alert/);
  });

  it("gives every page a CSP; the sign-in screens may send their form on to the client's redirect URI only", async () => {
    const mailbox = await fetch(`${env.url}/__emulator/`);
    expect(mailbox.headers.get("content-security-policy")).toContain("form-action 'self';");
    const authUrl = oauthClient(env.url).generateAuthUrl({ scope: ["openid", "email"] });
    const chooser = await fetch(authUrl);
    expect(chooser.headers.get("content-security-policy")).toContain(
      `form-action 'self' ${new URL(DEV_CLIENT.redirectUris[0]!).origin};`,
    );
    for (const policy of [mailbox, chooser].map((response) => response.headers.get("content-security-policy"))) {
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toContain("script-src");
    }
  });
});
