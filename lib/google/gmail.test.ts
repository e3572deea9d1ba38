import { describe, expect, it } from "vitest";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import {
  GmailNoAnswerError,
  GmailNotFoundError,
  GmailRejectedError,
  GmailScopeMissingError,
  GmailUnauthorizedError,
  JSON_SEND_MAX_BYTES,
  sendRawMessage,
  threadMetadata,
} from "./gmail";
import { GMAIL_METADATA_SCOPE, GoogleUnavailableError, REQUESTED_SCOPES } from "./oauth";

const google = setupEmulator();
const config = () => ({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });

function message(subject: string, body = "Hello from Evergreen.") {
  return Buffer.from(
    `To: grace@evergreen.test\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );
}

async function accessToken() {
  return (await connect(google.url)).tokens.access_token!;
}

describe("sending through the Gmail API (googleapis against the local Google)", () => {
  it("sends a small message as JSON and returns Gmail's ids", async () => {
    const sent = await sendRawMessage(await accessToken(), { raw: message("Small") }, config());
    expect(sent.id).toMatch(/^[0-9a-f]{16}$/);
    expect(sent.labelIds).toContain("SENT");
    const [delivered] = await google.control.messages();
    expect(delivered).toMatchObject({ subject: "Small" });
  });

  it("sends a large message through the upload endpoint of the same Google", async () => {
    const body = "x".repeat(JSON_SEND_MAX_BYTES + 1024);
    const sent = await sendRawMessage(await accessToken(), { raw: message("Large", body) }, config());
    expect(sent.id).toMatch(/^[0-9a-f]{16}$/);
    const calls = await google.control.calls();
    expect(calls["gmail.send"]).toBe(1);
  });

  it("reports a refused access token as 401, for one refresh and retry by the caller", async () => {
    await expect(sendRawMessage("ya29.not-a-token", { raw: message("Nope") }, config())).rejects.toBeInstanceOf(
      GmailUnauthorizedError,
    );
  });

  it("reports Google's reason when it refuses the message", async () => {
    const error = await sendRawMessage(
      await accessToken(),
      { raw: Buffer.from("Subject: no recipient\r\n\r\nHi") },
      config(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GmailRejectedError);
    expect(error).toMatchObject({ status: 400, googleMessage: "Recipient address required" });
  });

  it("tells a 5xx (answered: retry later) from no answer at all (the message may have gone out)", async () => {
    const token = await accessToken();
    await google.control.addFault({ endpoint: "gmail.send", count: 1, status: 503 });
    await expect(sendRawMessage(token, { raw: message("Busy") }, config())).rejects.toBeInstanceOf(
      GoogleUnavailableError,
    );
    await google.control.addFault({ endpoint: "gmail.send", count: 1, mode: "drop-after" });
    await expect(sendRawMessage(token, { raw: message("Dropped") }, config())).rejects.toBeInstanceOf(
      GmailNoAnswerError,
    );
    // drop-after handled it fully: the message really went out, which is why it is never retried blindly.
    expect((await google.control.messages()).map((m) => m.subject)).toContain("Dropped");
  });
});

describe("reading a thread's headers (threads.get, format=metadata)", () => {
  const withMetadata = async () =>
    (await connect(google.url, { scopes: [...REQUESTED_SCOPES, GMAIL_METADATA_SCOPE] })).tokens.access_token!;

  it("gives each message's date, labels and only the headers asked for, oldest first", async () => {
    const token = await withMetadata();
    const sent = await sendRawMessage(token, { raw: message("Our call", "Private words") }, config());
    await google.control.addReply(sent.threadId, { from: "grace@evergreen.test", fromName: "Grace Hopper" });
    await google.control.addAutoReply(sent.threadId, { from: "grace@evergreen.test", kind: "x-autoreply" });

    const messages = await threadMetadata(token, sent.threadId, config());
    expect(messages.map((m) => m.labelIds.includes("SENT"))).toEqual([true, false, false]);
    expect(messages[1]?.headers).toMatchObject({ from: `"Grace Hopper" <grace@evergreen.test>` });
    expect(messages[1]?.headers["message-id"]).toMatch(/^<.+@evergreen\.test>$/);
    expect(messages[2]?.headers["x-autoreply"]).toBe("yes");
    expect(messages[1]?.internalDate.getTime()).toBeGreaterThan(0);
    // Only the six headers named: no Subject, no body.
    for (const { headers } of messages)
      expect(
        Object.keys(headers).every((name) =>
          ["from", "date", "auto-submitted", "x-autoreply", "precedence", "message-id"].includes(name),
        ),
      ).toBe(true);
    expect(JSON.stringify(messages)).not.toContain("Private words");
    expect((await google.control.calls())["gmail.threads.get"]).toBe(1);
  });

  it("names a grant without gmail.metadata, an unknown thread and a refused token apart", async () => {
    const sendOnly = await accessToken();
    const sent = await sendRawMessage(sendOnly, { raw: message("Scoped") }, config());
    await expect(threadMetadata(sendOnly, sent.threadId, config())).rejects.toBeInstanceOf(GmailScopeMissingError);
    await expect(threadMetadata(await withMetadata(), "18d4f2e1a3b5c6d7", config())).rejects.toBeInstanceOf(
      GmailNotFoundError,
    );
    await expect(threadMetadata("ya29.not-a-token", sent.threadId, config())).rejects.toBeInstanceOf(
      GmailUnauthorizedError,
    );
    await google.control.addFault({ endpoint: "gmail.threads.get", count: 1, mode: "drop-before" });
    await expect(threadMetadata(await withMetadata(), sent.threadId, config())).rejects.toBeInstanceOf(
      GoogleUnavailableError,
    );
  });
});
