import { gmail, type gmail_v1 } from "@googleapis/gmail";
import { OAuth2Client } from "google-auth-library";
import { getEnv, type Env } from "../platform/env";
import { googleEndpoints, GoogleRejectedError, GoogleUnavailableError } from "./oauth";

/**
 * The only Gmail client: sends one RFC 5322 message as the signed-in user, and reads the headers of a
 * thread (reply detection), with an access token the caller supplies (lib/connection/tokens.ts owns
 * refreshing). Small messages go as JSON, large ones through the upload endpoint, whose URL googleapis
 * only rewrites when rootUrl is given per call.
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

/** Gmail answered 403 insufficientPermissions: the grant lacks the scope this call needs (a box left unticked). */
export class GmailScopeMissingError extends GmailRejectedError {
  constructor(cause: unknown, googleMessage: string | undefined) {
    super(cause, 403, "insufficientPermissions", googleMessage);
    this.name = "GmailScopeMissingError";
  }
}

/** Gmail answered 404: no such thread (or message) in this user's mailbox, e.g. deleted forever. */
export class GmailNotFoundError extends GmailRejectedError {
  constructor(cause: unknown, reason: string | undefined, googleMessage: string | undefined) {
    super(cause, 404, reason, googleMessage);
    this.name = "GmailNotFoundError";
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
  const { api, rootUrl } = gmailClient(accessToken, google);
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
    throw classify(error, "send");
  }
}

/** The only headers reply detection asks for (lib/outreach/reply-rules.ts reads them); never a body. */
export const THREAD_METADATA_HEADERS = ["From", "Date", "Auto-Submitted", "X-Autoreply", "Precedence", "Message-ID"];

/** One message of a thread as format=metadata gives it: `headers` keyed by lower-case name (the first of each). */
export type ThreadMessageHeaders = {
  id: string;
  labelIds: string[];
  internalDate: Date;
  headers: Record<string, string>;
};

/**
 * The headers of every message in one of the user's threads (users.threads.get, format=metadata), oldest
 * first. Needs gmail.metadata or a wider read scope: without one Gmail answers 403, thrown as
 * GmailScopeMissingError; an unknown thread is GmailNotFoundError, a refused token GmailUnauthorizedError.
 */
export async function threadMetadata(
  accessToken: string,
  threadId: string,
  google: Env["google"] = getEnv().google,
): Promise<ThreadMessageHeaders[]> {
  const { api, rootUrl } = gmailClient(accessToken, google);
  try {
    const { data } = await api.users.threads.get(
      { userId: "me", id: threadId, format: "metadata", metadataHeaders: THREAD_METADATA_HEADERS },
      { rootUrl, timeout: GMAIL_REQUEST_TIMEOUT_MS, retry: false },
    );
    return (data.messages ?? []).map(threadMessage);
  } catch (error) {
    throw classify(error, "read");
  }
}

function gmailClient(accessToken: string, google: Env["google"]) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: accessToken });
  const rootUrl = googleEndpoints(google.baseUrl).gmail;
  return { api: gmail({ version: "v1", auth, rootUrl }), rootUrl };
}

function threadMessage(data: gmail_v1.Schema$Message): ThreadMessageHeaders {
  const headers: Record<string, string> = {};
  for (const { name, value } of data.payload?.headers ?? []) {
    const key = name?.toLowerCase();
    if (key && value != null && !(key in headers)) headers[key] = value;
  }
  return {
    id: data.id ?? "",
    labelIds: data.labelIds ?? [],
    internalDate: new Date(Number(data.internalDate ?? 0)),
    headers,
  };
}

function sentMessage(data: gmail_v1.Schema$Message): SentMessage {
  if (!data.id || !data.threadId) throw new Error("Gmail accepted the message without returning its ids");
  return { id: data.id, threadId: data.threadId, labelIds: data.labelIds ?? [] };
}

function classify(error: unknown, call: "send" | "read"): Error {
  const failure = error as ApiFailure;
  const status = failure.response?.status;
  if (status === 401) return new GmailUnauthorizedError();
  // A read changes nothing at Gmail, so a lost answer is only "try again later".
  if (status === undefined)
    return call === "read" || NEVER_SENT_CODES.has(failure.code ?? "")
      ? new GoogleUnavailableError(error)
      : new GmailNoAnswerError(error);
  if (status === 408 || status === 429 || status >= 500) return new GoogleUnavailableError(error);
  const body = failure.response?.data?.error;
  const reason = body?.errors?.[0]?.reason;
  if (status === 403 && reason === "insufficientPermissions") return new GmailScopeMissingError(error, body?.message);
  if (status === 404) return new GmailNotFoundError(error, reason, body?.message);
  return new GmailRejectedError(error, status, reason, body?.message);
}
