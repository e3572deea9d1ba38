import { gmail, type gmail_v1 } from "@googleapis/gmail";
import type { OAuth2Client } from "google-auth-library";
import MailComposer from "nodemailer/lib/mail-composer";
import type Mail from "nodemailer/lib/mailer";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_USER } from "../seed";
import { apiError, connect, errorHeader, type ApiError } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();

async function compose(mail: Mail.Options, keepBcc = false): Promise<Buffer> {
  const node = new MailComposer(mail).compile();
  // MailComposer drops Bcc from the built message unless told otherwise; Evergreen must keep it for Gmail.
  node.keepBcc = keepBcc;
  return node.build();
}

const storedMessages = () => env.control.messages();

async function sendWithFreshToken(raw: string) {
  const fresh = await connect(env.url);
  fresh.client.setCredentials(fresh.tokens);
  return gmail({ version: "v1", auth: fresh.client, rootUrl: `${env.url}/` }).users.messages.send({
    userId: "me",
    requestBody: { raw },
  });
}

let auth: OAuth2Client;
let api: gmail_v1.Gmail;

describe("Gmail send", () => {
  beforeEach(async () => {
    const connected = await connect(env.url);
    auth = connected.client;
    auth.setCredentials(connected.tokens);
    api = gmail({ version: "v1", auth, rootUrl: `${env.url}/` });
  });

  const rawOf = (message: Buffer) => message.toString("base64url");

  it("sends JSON raw: Bcc delivered but stripped, From forced to the account, Message-ID and Date added", async () => {
    const message = await compose(
      {
        from: '"Ada at Evergreen" <someone-else@example.com>',
        to: "Bob <bob@example.com>",
        cc: "carol@example.com",
        bcc: "dave@example.com",
        subject: "Grüße – Prüfung ✓",
        text: "Hello Bob",
        html: "<p>Hello <b>Bob</b></p>",
      },
      true,
    );
    const { data, status } = await api.users.messages.send({ userId: "me", requestBody: { raw: rawOf(message) } });
    expect(status).toBe(200);
    expect(data.id).toMatch(/^[0-9a-f]{16}$/);
    expect(data.threadId).toBe(data.id);
    expect(data.labelIds).toEqual(["SENT"]);
    expect(Object.keys(data).sort()).toEqual(["id", "labelIds", "threadId"]);

    const [stored] = await storedMessages();
    expect(stored?.envelope).toEqual({
      from: DEV_USER.email,
      to: ["bob@example.com", "carol@example.com", "dave@example.com"],
    });
    expect(stored?.subject).toBe("Grüße – Prüfung ✓");
    expect(stored?.text.trim()).toBe("Hello Bob");
    expect(stored?.html).toContain("<b>Bob</b>");
    expect(stored?.from).toBe(`"Ada at Evergreen" <${DEV_USER.email}>`);
    expect(stored?.raw).not.toMatch(/^bcc:/im);
    expect(stored?.raw).not.toContain("dave@example.com");
    expect(stored?.headers["message-id"]).toMatch(/^<.+@/);
    expect(stored?.headers.date).toBeTruthy();
    expect(stored?.headers.received).toContain("gmailapi.google.com");
  });

  it("keeps an existing Message-ID and assigns a Gmail-style one when absent", async () => {
    await api.users.messages.send({
      userId: "me",
      requestBody: {
        raw: rawOf(Buffer.from("To: bob@example.com\r\nMessage-ID: <mine@evergreen.test>\r\nSubject: a\r\n\r\nbody")),
      },
    });
    await api.users.messages.send({
      userId: DEV_USER.email,
      requestBody: { raw: rawOf(Buffer.from("To: bob@example.com\r\nSubject: b\r\n\r\nbody")) },
    });
    const [kept, assigned] = await storedMessages();
    expect(kept?.headers["message-id"]).toBe("<mine@evergreen.test>");
    expect(kept?.from).toBe(`"${DEV_USER.name}" <${DEV_USER.email}>`);
    expect(assigned?.headers["message-id"]).toMatch(/^<CA.+@mail\.gmail\.com>$/);
    expect(assigned?.from).toBe(`"${DEV_USER.name}" <${DEV_USER.email}>`);
  });

  it("answers each send only after sendLatencyMs", async () => {
    await env.control.configure({ sendLatencyMs: 300 });
    const started = performance.now();
    await Promise.all(
      ["a", "b", "c"].map((subject) =>
        api.users.messages.send({
          userId: "me",
          requestBody: { raw: rawOf(Buffer.from(`To: bob@example.com\r\nSubject: ${subject}\r\n\r\nbody`)) },
        }),
      ),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(await storedMessages()).toHaveLength(3);
  });

  it("keeps a non-ASCII display name when it rewrites From", async () => {
    await api.users.messages.send({
      userId: "me",
      requestBody: {
        raw: rawOf(
          await compose({ from: "Adá Lövelace <spoof@example.com>", to: "bob@example.com", subject: "ü", text: "x" }),
        ),
      },
    });
    const [stored] = await storedMessages();
    expect(stored?.from).toBe(`"Adá Lövelace" <${DEV_USER.email}>`);
    expect(stored?.raw).not.toContain("spoof@example.com");
  });

  it("accepts padded base64url and refuses the standard alphabet", async () => {
    const padded = Buffer.from("To: bob@example.com\r\nSubject: pad\r\n\r\nx?").toString("base64url");
    await expect(
      api.users.messages.send({
        userId: "me",
        requestBody: { raw: padded + "=".repeat((4 - (padded.length % 4)) % 4) },
      }),
    ).resolves.toMatchObject({ status: 200 });
    const standard = Buffer.from("To: bob@example.com\r\nSubject: ??>>\r\n\r\n???>>>").toString("base64");
    expect(standard).toMatch(/[+/]/);
    const error = await apiError(api.users.messages.send({ userId: "me", requestBody: { raw: standard } }));
    expect(error.status).toBe(400);
    expect(error.message).toContain("Invalid value for ByteString");
  });

  it("sends through the upload endpoint (media), with rootUrl passed per call", async () => {
    const message = await compose({ to: "erin@example.com", subject: "Uploaded", text: "via media" });
    const { data } = await api.users.messages.send(
      { userId: "me", media: { mimeType: "message/rfc822", body: Readable.from(message) } },
      { rootUrl: `${env.url}/` },
    );
    expect(data.labelIds).toEqual(["SENT"]);
    expect((await env.control.calls())["gmail.send"]).toBe(1);
    expect((await storedMessages())[0]?.subject).toBe("Uploaded");
  });

  it("sends through the upload endpoint (multipart) with a threadId; replies join the thread, bad thread ids are refused", async () => {
    const first = await api.users.messages.send({
      userId: "me",
      requestBody: {
        raw: rawOf(
          await compose({ to: "bob@example.com", subject: "Plan", text: "v1", messageId: "<plan-1@evergreen.test>" }),
        ),
      },
    });
    const reply = await compose({
      to: "bob@example.com",
      subject: "Re: Plan",
      text: "v2",
      inReplyTo: "<plan-1@evergreen.test>",
      references: "<plan-1@evergreen.test>",
    });
    const { data } = await api.users.messages.send(
      {
        userId: "me",
        requestBody: { threadId: first.data.threadId ?? "" },
        media: { mimeType: "message/rfc822", body: Readable.from(reply) },
      },
      { rootUrl: `${env.url}/` },
    );
    expect(data.threadId).toBe(first.data.threadId);
    expect(data.id).not.toBe(first.data.id);

    const unrelated = await api.users.messages.send({
      userId: "me",
      requestBody: {
        threadId: first.data.threadId ?? "",
        raw: rawOf(await compose({ to: "bob@example.com", subject: "Other", text: "x" })),
      },
    });
    expect(unrelated.data.threadId).toBe(unrelated.data.id);

    const error = await apiError(
      api.users.messages.send({ userId: "me", requestBody: { threadId: "ffffffffffffffff", raw: rawOf(reply) } }),
    );
    expect([error.status, error.message]).toEqual([400, "Invalid thread_id value"]);
  });

  it("sending to yourself lands in the inbox too", async () => {
    const { data } = await api.users.messages.send({
      userId: "me",
      requestBody: { raw: rawOf(await compose({ to: DEV_USER.email, subject: "note", text: "self" })) },
    });
    expect(data.labelIds).toEqual(["UNREAD", "SENT", "INBOX"]);
  });

  it("400s: no recipient, broken To header, raw missing, too many recipients", async () => {
    const noRecipient = await apiError(
      api.users.messages.send({
        userId: "me",
        requestBody: { raw: rawOf(Buffer.from("Subject: lonely\r\n\r\nbody")) },
      }),
    );
    expect(noRecipient.status).toBe(400);
    expect(noRecipient.response.data.error).toMatchObject({
      code: 400,
      message: "Recipient address required",
      status: "INVALID_ARGUMENT",
      errors: [{ reason: "invalidArgument", domain: "global", message: "Recipient address required" }],
    });

    const brokenTo = await apiError(
      api.users.messages.send({
        userId: "me",
        requestBody: { raw: rawOf(Buffer.from("To: not an address\r\nSubject: x\r\n\r\nbody")) },
      }),
    );
    expect([brokenTo.status, brokenTo.message]).toEqual([400, "Invalid To header"]);

    const noRaw = await apiError(api.users.messages.send({ userId: "me", requestBody: {} }));
    expect(noRaw.message).toBe("'raw' RFC822 payload message string or uploading message via /upload/* URL required");

    const many = Array.from({ length: 101 }, (_, i) => `r${i}@example.com`).join(", ");
    const tooMany = await apiError(
      api.users.messages.send({
        userId: "me",
        requestBody: { raw: rawOf(Buffer.from(`To: ${many}\r\nSubject: x\r\n\r\nbody`)) },
      }),
    );
    expect(tooMany.status).toBe(400);
    expect(await storedMessages()).toHaveLength(0);
  });

  it("413 above the JSON endpoint's cap", async () => {
    await env.control.configure({ jsonSendMaxBytes: 1024 });
    const big = await compose({ to: "bob@example.com", subject: "big", text: "x".repeat(4096) });
    expect((await apiError(api.users.messages.send({ userId: "me", requestBody: { raw: rawOf(big) } }))).status).toBe(
      413,
    );
    await env.control.configure({ uploadSendMaxBytes: 2048 });
    expect(
      (
        await apiError(
          api.users.messages.send(
            { userId: "me", media: { mimeType: "message/rfc822", body: Readable.from(big) } },
            { rootUrl: `${env.url}/` },
          ),
        )
      ).status,
    ).toBe(413);
  });

  it("401 without credentials: CREDENTIALS_MISSING", async () => {
    const response = await fetch(`${env.url}/gmail/v1/users/me/messages/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as ApiError["response"]["data"];
    expect(body.error).toMatchObject({
      code: 401,
      status: "UNAUTHENTICATED",
      errors: [{ message: "Login Required.", reason: "required" }],
      details: [{ reason: "CREDENTIALS_MISSING" }],
    });
  });

  it("401 with a revoked token: full envelope and WWW-Authenticate invalid_token", async () => {
    await env.control.revokeAccess(DEV_USER.email);
    const error = await apiError(api.users.getProfile({ userId: "me" }));
    expect(error.status).toBe(401);
    const body = error.response.data.error;
    expect(body).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    expect(body.message).toContain("Request had invalid authentication credentials.");
    expect(body.errors).toEqual([
      {
        message: "Invalid Credentials",
        domain: "global",
        reason: "authError",
        location: "Authorization",
        locationType: "header",
      },
    ]);
    expect(errorHeader(error, "www-authenticate")).toBe(
      'Bearer realm="https://accounts.google.com/", error="invalid_token"',
    );
  });

  it("403 Delegation denied for another mailbox", async () => {
    const error = await apiError(
      api.users.messages.send({
        userId: "grace@evergreen.test",
        requestBody: { raw: rawOf(Buffer.from("To: a@b.c\r\n\r\nx")) },
      }),
    );
    expect([error.status, error.message]).toEqual([403, "Delegation denied for grace@evergreen.test"]);
  });

  it("429 at the daily sending limit, with the retry time in the text and no Retry-After header", async () => {
    await env.control.configure({ dailySendLimit: 2 });
    const raw = rawOf(Buffer.from("To: bob@example.com\r\nSubject: x\r\n\r\nbody"));
    await api.users.messages.send({ userId: "me", requestBody: { raw } });
    await api.users.messages.send({ userId: "me", requestBody: { raw } });
    const error = await apiError(api.users.messages.send({ userId: "me", requestBody: { raw } }));
    expect(error.status).toBe(429);
    expect(error.message).toMatch(
      /^User-rate limit exceeded\. {2}Retry after \d{4}-\d\d-\d\dT[\d:.]+Z \(Mail sending\)$/,
    );
    expect(error.response.data.error.errors[0]).toMatchObject({ reason: "rateLimitExceeded", domain: "usageLimits" });
    expect(errorHeader(error, "retry-after")).toBeFalsy();
    // A rolling 24 h window: a day later (with a fresh token, the old one has expired) sending works again.
    await env.control.advanceClock(24 * 3600 + 1);
    await expect(sendWithFreshToken(raw)).resolves.toMatchObject({ status: 200 });
  });

  it("per-user quota units per minute: 403 userRateLimitExceeded, then fine a minute later", async () => {
    await env.control.configure({ sendUnitsPerMinute: 200 });
    const raw = rawOf(Buffer.from("To: bob@example.com\r\nSubject: x\r\n\r\nbody"));
    await api.users.messages.send({ userId: "me", requestBody: { raw } });
    await api.users.messages.send({ userId: "me", requestBody: { raw } });
    const error = await apiError(api.users.messages.send({ userId: "me", requestBody: { raw } }));
    expect(error.status).toBe(403);
    expect(error.response.data.error.errors[0]).toMatchObject({
      reason: "userRateLimitExceeded",
      domain: "usageLimits",
    });
    await env.control.advanceClock(61);
    await expect(api.users.messages.send({ userId: "me", requestBody: { raw } })).resolves.toMatchObject({
      status: 200,
    });
  });

  it("an expired access token is refreshed by the library before sending", async () => {
    await env.control.configure({ accessTokenTtlSeconds: 200 });
    const connected = await connect(env.url, { prompt: "consent" });
    const refreshed: string[] = [];
    connected.client.on("tokens", (t) => refreshed.push(t.access_token ?? ""));
    connected.client.setCredentials(connected.tokens);
    await gmail({ version: "v1", auth: connected.client, rootUrl: `${env.url}/` }).users.messages.send({
      userId: "me",
      requestBody: { raw: rawOf(Buffer.from("To: bob@example.com\r\n\r\nx")) },
    });
    expect(refreshed).toHaveLength(1);
    expect((await env.control.calls()).token).toBeGreaterThanOrEqual(2);
  });
});
