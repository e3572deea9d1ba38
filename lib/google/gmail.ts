import { gmail, type gmail_v1 } from "@googleapis/gmail";
import { OAuth2Client } from "google-auth-library";
import { getEnv, type Env } from "../platform/env";
import { googleEndpoints, GoogleRejectedError, GoogleUnavailableError } from "./oauth";

/**
 * The only Gmail client: sends one RFC 5322 message as the signed-in user, with an access token the
 * caller supplies (lib/connection/tokens.ts owns refreshing). Small messages go as JSON, large ones through the
 * upload endpoint, whose URL googleapis only rewrites when rootUrl is given per call.
 */

/** Under the JSON endpoint's reported cap (a few MB of base64url), with room for the JSON around it. */
export const JSON_SEND_MAX_BYTES = 3 * 1024 * 1024;
/** Gmail's upload limit for messages.send (discovery document maxSize). */
export const UPLOAD_SEND_MAX_BYTES = 36_700_160;

export type SentMessage = { id: string; threadId: string; labelIds: string[] };

/** Gmail answered 401: the access token is no longer accepted (expired early or revoked). */
export class GmailUnauthorizedError extends Error {
  constructor() {
    super("Gmail refused the access token (401)");
    this.name = "GmailUnauthorizedError";
  }
}

/**
 * The request may have reached Gmail but no answer came (timeout, reset): the message may or may not
 * have been sent, and Gmail has no idempotency key, so it must not be retried blindly.
 */
export class GmailNoAnswerError extends Error {
  constructor(readonly cause: unknown) {
    super(`Gmail did not answer: ${(cause as ApiFailure).code ?? (cause as Error).message}`);
    this.name = "GmailNoAnswerError";
  }
}

/** Gmail answered 4xx about the message or the account: retrying the same request cannot help. */
export class GmailRejectedError extends GoogleRejectedError {
  constructor(
    cause: unknown,
    readonly status: number,
    readonly reason: string | undefined,
    readonly googleMessage: string | undefined,
  ) {
    super(cause);
    this.name = "GmailRejectedError";
  }
}

// Failures before any byte of the request left: sending again cannot duplicate anything.
const NEVER_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

type ApiFailure = {
  code?: string;
  response?: { status?: number; data?: { error?: { message?: string; errors?: Array<{ reason?: string }> } } };
};

/** The longest a send waits for Gmail's answer (upload included); the outbox's lease covers it. */
export const GMAIL_REQUEST_TIMEOUT_MS = 30_000;

export async function sendRawMessage(
  accessToken: string,
  message: { raw: Buffer; threadId?: string },
  google: Env["google"] = getEnv().google,
): Promise<SentMessage> {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: accessToken });
  const rootUrl = googleEndpoints(google.baseUrl).gmail;
  const api = gmail({ version: "v1", auth, rootUrl });
  const large = message.raw.length > JSON_SEND_MAX_BYTES;
  try {
    const { data } = await api.users.messages.send(
      large
        ? {
            userId: "me",
            requestBody: message.threadId ? { threadId: message.threadId } : undefined,
            media: { mimeType: "message/rfc822", body: message.raw },
          }
        : { userId: "me", requestBody: { raw: message.raw.toString("base64url"), threadId: message.threadId } },
      { rootUrl, timeout: GMAIL_REQUEST_TIMEOUT_MS, retry: false },
    );
    return sentMessage(data);
  } catch (error) {
    throw classify(error);
  }
}

function sentMessage(data: gmail_v1.Schema$Message): SentMessage {
  if (!data.id || !data.threadId) throw new Error("Gmail accepted the message without returning its ids");
  return { id: data.id, threadId: data.threadId, labelIds: data.labelIds ?? [] };
}

function classify(error: unknown): Error {
  const failure = error as ApiFailure;
  const status = failure.response?.status;
  if (status === 401) return new GmailUnauthorizedError();
  if (status === undefined)
    return NEVER_SENT_CODES.has(failure.code ?? "") ? new GoogleUnavailableError(error) : new GmailNoAnswerError(error);
  if (status === 408 || status === 429 || status >= 500) return new GoogleUnavailableError(error);
  const body = failure.response?.data?.error;
  return new GmailRejectedError(error, status, body?.errors?.[0]?.reason, body?.message);
}
