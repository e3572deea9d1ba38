import { appDeps, type AppDeps } from "../platform/deps";
import { consumeRateLimit, peekRateLimit, rateLimitRules } from "./rate-limit";
import { sendLimitMessage, signInLimitMessage } from "./rate-limit-copy";

/**
 * The abuse limits at the request boundary (proxy.ts), where a refusal can be a real 429 with
 * Retry-After. Sign-in attempts are counted here, per client address: starts (the sign-in and
 * reconnect actions, however posted, and Auth.js's sign-in POST) and returns from Google (the callback,
 * which every sign-in reaches however it started). Sends are counted by the send action itself, per user, so no
 * encoding of the request escapes the count; here a user already over the limit is answered 429.
 */

export type RequestLine = {
  method: string;
  pathname: string;
  actionName?: string;
  /** Whether the request carries Auth.js's cookies of a sign-in in progress (lib/connection/sign-in-checks.ts). */
  signInInProgress?: boolean;
};
export type Refusal = { message: string; retryAfterSeconds: number };

const SIGN_IN_ACTIONS = new Set([
  "signInWithGoogleAction",
  "reconnectGmailAction",
  "reconnectGmailFromComposeAction",
  "turnOnReplyDetectionAction",
]);

export function limitedAttempt(line: RequestLine): "send" | "sign-in" | undefined {
  // A return from Google counts only as part of a sign-in this browser started; another site's page
  // loading the address would otherwise lock its visitors out (route.ts turns such a return away).
  if (line.pathname.startsWith("/api/auth/callback/")) return line.signInInProgress ? "sign-in" : undefined;
  if (line.method !== "POST") return undefined;
  if (line.pathname.startsWith("/api/auth/signin/")) return "sign-in";
  if (line.actionName === "sendMessageAction") return "send";
  if (line.actionName && SIGN_IN_ACTIONS.has(line.actionName)) return "sign-in";
  return undefined;
}

/**
 * Whether this attempt is over its limit. `who.userId` is asked only for a send: the session's user,
 * which the caller may already have looked up for something else.
 */
export async function refusedAttempt(
  attempt: "send" | "sign-in",
  who: { address: string; userId: () => Promise<string | undefined> },
  deps: Pick<AppDeps, "db" | "now"> = appDeps(),
): Promise<Refusal | undefined> {
  const rules = rateLimitRules();
  if (attempt === "sign-in") {
    const verdict = await consumeRateLimit(rules.signIns, who.address, deps);
    return verdict.allowed ? undefined : { message: signInLimitMessage(verdict.retryAfterSeconds), ...verdict };
  }
  const userId = await who.userId();
  if (!userId) return undefined;
  const verdict = await peekRateLimit(rules.sends, userId, deps);
  return verdict.allowed ? undefined : { message: sendLimitMessage(verdict.retryAfterSeconds), ...verdict };
}

/**
 * 429 with Retry-After. A fetch action gets the words as text/plain, which Next.js hands to the form as
 * the error's message; a page request (a return from Google, a form without JavaScript) gets a page.
 */
export function tooManyRequests(refusal: Refusal, fetchAction: boolean): Response {
  const headers = { "Retry-After": String(refusal.retryAfterSeconds), "Cache-Control": "no-store" };
  if (fetchAction)
    return new Response(refusal.message, { status: 429, headers: { ...headers, "Content-Type": "text/plain" } });
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Too many attempts · Evergreen</title></head><body><main><h1>Slow down</h1><p role="alert">${escapeHtml(refusal.message)}</p><p><a href="/sign-in">Back to sign in</a></p></main></body></html>`;
  return new Response(page, { status: 429, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
