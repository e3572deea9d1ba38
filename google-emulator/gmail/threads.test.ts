import { gmail, type gmail_v1 } from "@googleapis/gmail";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmulatorControl } from "../control/client";
import { startGoogleEmulator } from "../index";
import { GMAIL_METADATA, GMAIL_SEND } from "../oauth2/scopes";
import { DEV_USER } from "../seed";
import { apiError, connect } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();
const READONLY = "https://www.googleapis.com/auth/gmail.readonly";

async function gmailWith(scopes: string[]) {
  const connected = await connect(env.url, { scopes });
  connected.client.setCredentials(connected.tokens);
  return { api: gmail({ version: "v1", auth: connected.client, rootUrl: `${env.url}/` }), ...connected };
}

function rawMessage(lines: string[]): string {
  return Buffer.from([...lines, "", "Hello Bob, shall we meet on Tuesday?"].join("\r\n")).toString("base64url");
}

async function sendFirst(api: gmail_v1.Gmail, subject = "Our meeting") {
  const raw = rawMessage([
    "To: Bob <bob@example.com>",
    `Subject: ${subject}`,
    "Content-Type: text/plain; charset=UTF-8",
  ]);
  const { data } = await api.users.messages.send({ userId: "me", requestBody: { raw } });
  return { id: data.id ?? "", threadId: data.threadId ?? "" };
}

const header = (message: gmail_v1.Schema$Message | undefined, name: string) =>
  message?.payload?.headers?.find((h) => h.name?.toLowerCase() === name.toLowerCase())?.value;

describe("Gmail users.threads.get", () => {
  it("format=metadata gives the sent thread with only the asked headers, matched case-insensitively", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, GMAIL_METADATA]);
    const sent = await sendFirst(api);
    const { data, status } = await api.users.threads.get({
      userId: "me",
      id: sent.threadId,
      format: "metadata",
      metadataHeaders: ["from", "SUBJECT", "Message-ID"],
    });
    expect(status).toBe(200);
    expect(data.id).toBe(sent.threadId);
    expect(data.historyId).toMatch(/^\d+$/);
    expect(data.messages).toHaveLength(1);
    const [message] = data.messages ?? [];
    expect(message).toMatchObject({ id: sent.id, threadId: sent.threadId, labelIds: ["SENT"] });
    expect(message?.internalDate).toMatch(/^\d{13}$/);
    expect(message?.historyId).toBe(data.historyId);
    expect(message?.sizeEstimate).toBeGreaterThan(0);
    // gmail.metadata sees no body, nor the snippet made from it, nor the MIME type.
    expect(Object.keys(message ?? {}).sort()).toEqual(
      ["historyId", "id", "internalDate", "labelIds", "payload", "sizeEstimate", "threadId"].sort(),
    );
    expect(Object.keys(message?.payload ?? {}).sort()).toEqual(["headers", "partId"]);
    expect(message?.payload?.headers?.map((h) => h.name)).toEqual(["From", "Message-ID", "Subject"]);
    expect(header(message, "From")).toBe(`"${DEV_USER.name}" <${DEV_USER.email}>`);
    expect(header(message, "Subject")).toBe("Our meeting");
    expect(message?.payload?.body).toBeUndefined();
    expect(message?.payload?.parts).toBeUndefined();

    const all = await api.users.threads.get({ userId: DEV_USER.email, id: sent.threadId, format: "metadata" });
    expect(all.data.messages?.[0]?.payload?.headers?.map((h) => h.name)).toEqual(
      expect.arrayContaining(["Received", "From", "To", "Subject", "Message-ID", "Date"]),
    );
    expect((await env.control.calls())["gmail.threads.get"]).toBe(2);
  });

  it("a reply added by control joins the thread: From them, In-Reply-To and References the sent message, INBOX UNREAD", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, GMAIL_METADATA]);
    const sent = await sendFirst(api);
    const before = await api.users.threads.get({ userId: "me", id: sent.threadId, format: "minimal" });
    await env.control.advanceClock(600);
    const added = await env.control.addReply(sent.threadId, {
      from: "bob@example.com",
      fromName: "Bob Müller",
      text: "Tuesday works.",
    });
    expect(added.message).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), threadId: sent.threadId });

    const { data } = await api.users.threads.get({
      userId: "me",
      id: sent.threadId,
      format: "metadata",
      metadataHeaders: ["From", "To", "Subject", "In-Reply-To", "References", "Message-ID", "Auto-Submitted"],
    });
    expect(data.messages?.map((m) => m.id)).toEqual([sent.id, added.message.id]);
    expect(Number(data.historyId)).toBeGreaterThan(Number(before.data.historyId));
    const [first, reply] = data.messages ?? [];
    expect(reply?.labelIds).toEqual(["INBOX", "UNREAD"]);
    expect(Number(reply?.internalDate) - Number(first?.internalDate)).toBeGreaterThanOrEqual(600_000);
    expect(header(reply, "From")).toBe("Bob Müller <bob@example.com>");
    expect(header(reply, "To")).toContain(DEV_USER.email);
    expect(header(reply, "Subject")).toBe("Re: Our meeting");
    expect(header(reply, "In-Reply-To")).toBe(header(first, "Message-ID"));
    expect(header(reply, "References")).toBe(header(first, "Message-ID"));
    expect(header(reply, "Auto-Submitted")).toBeUndefined();
    expect(reply?.snippet).toBeUndefined();

    // A second reply answers the first one, and the app's own answer to it threads as well.
    const later = await env.control.addReply(sent.threadId, { from: "carol@example.com", at: "2030-01-01T10:00:00Z" });
    const after = await api.users.threads.get({ userId: "me", id: sent.threadId, format: "metadata" });
    const last = after.data.messages?.[2];
    expect(last?.id).toBe(later.message.id);
    expect(last?.internalDate).toBe(String(Date.parse("2030-01-01T10:00:00Z")));
    expect(header(last, "In-Reply-To")).toBe(header(reply, "Message-ID"));
    expect(header(last, "References")).toBe(`${header(first, "Message-ID")} ${header(reply, "Message-ID")}`);

    // The user's answer to the reply joins the thread, as Gmail threads it (§9.6).
    const answer = await api.users.messages.send({
      userId: "me",
      requestBody: {
        threadId: sent.threadId,
        raw: rawMessage([
          "To: bob@example.com",
          "Subject: Re: Our meeting",
          `In-Reply-To: ${header(last, "Message-ID") ?? ""}`,
          `References: ${header(last, "References") ?? ""} ${header(last, "Message-ID") ?? ""}`,
        ]),
      },
    });
    expect(answer.data.threadId).toBe(sent.threadId);
  });

  it("with a body scope: format=metadata adds mimeType and the snippet; format=full carries the text as base64url body data", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, READONLY]);
    const sent = await sendFirst(api);
    await env.control.addReply(sent.threadId, { from: "bob@example.com", text: 'Grüße, Bob\'s "reply"' });
    const metadata = await api.users.threads.get({ userId: "me", id: sent.threadId, format: "metadata" });
    expect(metadata.data.messages?.map((m) => m.snippet)).toEqual([
      "Hello Bob, shall we meet on Tuesday?",
      "Grüße, Bob&#39;s &quot;reply&quot;",
    ]);
    expect(metadata.data.messages?.[1]?.payload?.mimeType).toBe("text/plain");
    const { data } = await api.users.threads.get({ userId: "me", id: sent.threadId });
    const reply = data.messages?.[1];
    expect(reply?.payload?.mimeType).toBe("text/plain");
    expect(
      Buffer.from(reply?.payload?.body?.data ?? "", "base64url")
        .toString("utf8")
        .trim(),
    ).toBe('Grüße, Bob\'s "reply"');
  });

  it("auto-replies carry the marker header asked for", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, GMAIL_METADATA]);
    const sent = await sendFirst(api);
    await env.control.addAutoReply(sent.threadId, { from: "bob@example.com" });
    await env.control.addAutoReply(sent.threadId, { from: "bob@example.com", kind: "x-autoreply" });
    await env.control.addAutoReply(sent.threadId, { from: "bob@example.com", kind: "precedence-bulk" });
    await env.control.addAutoReply(sent.threadId, { from: "bob@example.com", kind: "precedence-auto_reply" });
    const { data } = await api.users.threads.get({
      userId: "me",
      id: sent.threadId,
      format: "metadata",
      metadataHeaders: ["Auto-Submitted", "X-Autoreply", "Precedence"],
    });
    expect(data.messages?.slice(1).map((m) => m.payload?.headers)).toEqual([
      [{ name: "Auto-Submitted", value: "auto-replied" }],
      [{ name: "X-Autoreply", value: "yes" }],
      [{ name: "Precedence", value: "bulk" }],
      [{ name: "Precedence", value: "auto_reply" }],
    ]);
  });

  it("a bounce comes from the mailer daemon as a delivery-status report in reply to the sent message", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, READONLY]);
    const sent = await sendFirst(api);
    await env.control.addReply(sent.threadId, { from: "bob@example.com" });
    const bounce = await env.control.addBounce(sent.threadId);
    const { data } = await api.users.threads.get({ userId: "me", id: sent.threadId, format: "metadata" });
    const [first, , dsn] = data.messages ?? [];
    expect(dsn?.id).toBe(bounce.message.id);
    expect(header(dsn, "From")).toBe("Mail Delivery Subsystem <mailer-daemon@googlemail.com>");
    expect(header(dsn, "Subject")).toBe("Delivery Status Notification (Failure)");
    expect(header(dsn, "Content-Type")).toMatch(/^multipart\/report;.*report-type=delivery-status/);
    expect(dsn?.payload?.mimeType).toBe("multipart/report");
    expect(header(dsn, "In-Reply-To")).toBe(header(first, "Message-ID"));
    expect(header(dsn, "X-Failed-Recipients")).toBe("bob@example.com");
    expect(dsn?.snippet).toContain("Address not found");
    expect(dsn?.labelIds).toEqual(["INBOX", "UNREAD"]);
  });

  it("gmail.send alone gets 403 insufficient scopes", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND]);
    const sent = await sendFirst(api);
    const error = await apiError(api.users.threads.get({ userId: "me", id: sent.threadId, format: "metadata" }));
    expect(error.status).toBe(403);
    expect(error.response.data.error).toMatchObject({
      message: "Request had insufficient authentication scopes.",
      status: "PERMISSION_DENIED",
      errors: [{ reason: "insufficientPermissions" }],
    });
  });

  it("gmail.metadata alone may read metadata and minimal, not full (the default)", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, GMAIL_METADATA]);
    const sent = await sendFirst(api);
    for (const format of ["full", undefined]) {
      const error = await apiError(api.users.threads.get({ userId: "me", id: sent.threadId, format }));
      expect(error.status).toBe(403);
      expect(error.response.data.error).toMatchObject({
        message: "Metadata scope doesn't allow format FULL",
        status: "PERMISSION_DENIED",
      });
    }
    const minimal = await api.users.threads.get({ userId: "me", id: sent.threadId, format: "minimal" });
    expect(minimal.data.messages?.[0]?.payload).toBeUndefined();
    expect(minimal.data.messages?.[0]?.labelIds).toEqual(["SENT"]);
    const raw = await apiError(api.users.threads.get({ userId: "me", id: sent.threadId, format: "raw" }));
    expect(raw.status).toBe(400);
  });

  it("an unknown thread, or another user's, is 404 Requested entity was not found.", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, GMAIL_METADATA]);
    for (const id of ["18d4f2e1a3b5c6d7", "not-a-thread"]) {
      const error = await apiError(api.users.threads.get({ userId: "me", id, format: "metadata" }));
      expect(error.status).toBe(404);
      expect(error.response.data.error).toMatchObject({
        code: 404,
        message: "Requested entity was not found.",
        status: "NOT_FOUND",
        errors: [{ reason: "notFound" }],
      });
    }
    await expect(env.control.addReply("18d4f2e1a3b5c6d7", { from: "bob@example.com" })).rejects.toThrow(/404/);
    const mine = await sendFirst(api);
    const other = await connect(env.url, {
      scopes: ["openid", "email", GMAIL_METADATA],
      account: "grace@evergreen.test",
    });
    other.client.setCredentials(other.tokens);
    const graceApi = gmail({ version: "v1", auth: other.client, rootUrl: `${env.url}/` });
    expect(
      (await apiError(graceApi.users.threads.get({ userId: "me", id: mine.threadId, format: "metadata" }))).status,
    ).toBe(404);
  });

  it("incremental authorization: gmail.send, then gmail.metadata with include_granted_scopes, gives a token with both", async () => {
    const first = await connect(env.url, { scopes: ["openid", "email", GMAIL_SEND] });
    expect(first.tokens.scope?.split(" ")).not.toContain(GMAIL_METADATA);
    const second = await connect(env.url, {
      browser: first.browser,
      scopes: [GMAIL_METADATA],
      extra: { include_granted_scopes: "true" },
    });
    expect(second.outcome.screens).toContain("consent");
    expect(second.tokens.scope?.split(" ")).toEqual(expect.arrayContaining([GMAIL_SEND, GMAIL_METADATA, "openid"]));
    expect((await env.control.grants())[0]?.scopes).toEqual(expect.arrayContaining([GMAIL_SEND, GMAIL_METADATA]));

    second.client.setCredentials(second.tokens);
    const api = gmail({ version: "v1", auth: second.client, rootUrl: `${env.url}/` });
    const sent = await sendFirst(api);
    const { data } = await api.users.threads.get({ userId: "me", id: sent.threadId, format: "metadata" });
    expect(data.messages).toHaveLength(1);
  });

  it("reset clears added messages; the state lists them with their kind meanwhile", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, GMAIL_METADATA]);
    const sent = await sendFirst(api);
    await env.control.addReply(sent.threadId, { from: "bob@example.com" });
    await env.control.addBounce(sent.threadId, { recipient: "bob@example.com" });
    expect((await env.control.messages()).map((m) => m.incoming ?? "sent")).toEqual(["sent", "reply", "bounce"]);
    const page = await (await fetch(`${env.url}/__emulator/`)).text();
    expect(page).toContain("Delivery Status Notification (Failure)");

    await env.control.reset();
    expect(await env.control.messages()).toEqual([]);
    await expect(env.control.addReply(sent.threadId, { from: "bob@example.com" })).rejects.toThrow(/404/);
  });

  it("control input is checked: a bad address or date is 400", async () => {
    const { api } = await gmailWith(["openid", "email", GMAIL_SEND, GMAIL_METADATA]);
    const sent = await sendFirst(api);
    await expect(env.control.addReply(sent.threadId, { from: "not an address" })).rejects.toThrow(/400/);
    await expect(env.control.addReply(sent.threadId, { from: "bob@example.com", at: "yesterday-ish" })).rejects.toThrow(
      /400/,
    );
  });
});

describe("state file and threads", () => {
  it("keeps added messages across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "google-emulator-"));
    const stateFile = join(dir, "state.json");
    try {
      const first = await startGoogleEmulator({ port: 0, stateFile });
      const connected = await connect(first.url, { scopes: ["openid", "email", GMAIL_SEND, GMAIL_METADATA] });
      connected.client.setCredentials(connected.tokens);
      const sent = await sendFirst(gmail({ version: "v1", auth: connected.client, rootUrl: `${first.url}/` }));
      const reply = await new EmulatorControl(first.url).addReply(sent.threadId, { from: "bob@example.com" });
      await first.close();

      const second = await startGoogleEmulator({ port: 0, stateFile });
      try {
        const messages = await new EmulatorControl(second.url).messages();
        expect(messages.map((m) => [m.id, m.incoming ?? "sent"])).toEqual([
          [sent.id, "sent"],
          [reply.message.id, "reply"],
        ]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
