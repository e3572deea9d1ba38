import { readLimitedBody } from "../http/limited-body";
import { clientAddress, consumeRateLimit } from "../http/rate-limit";
import { appDeps, type AppDeps } from "../platform/deps";
import { getEnv } from "../platform/env";
import { describeUnsubscribeLink, UNSUBSCRIBE_RATE_LIMIT, unsubscribeByToken } from "./unsubscribe";

/**
 * What /u/<token> answers (app/u/[token]/route.ts). A GET shows one button and changes nothing, so
 * link scanners unsubscribe no one; a POST (the mailbox provider's one-click, or that button)
 * unsubscribes and answers 200, never a redirect (RFC 8058). Refusals are 4xx with plain words: a
 * link that is not valid 400, a body over a few KB 413, too many requests 429. Pages are plain HTML
 * without scripts or inline styles, so the Content-Security-Policy needs no exception.
 */

/** The one-click body is `List-Unsubscribe=One-Click`; a few KB leaves room for a multipart envelope. */
export const UNSUBSCRIBE_BODY_LIMIT = 4 * 1024;
const RETRY_AFTER_FAILURE_SECONDS = 60;

type Deps = Pick<AppDeps, "db" | "now">;

export async function answerUnsubscribeRequest(
  request: Request,
  token: string,
  deps: Deps = appDeps(),
  trustedProxyHops = getEnv().rateLimits.trustedProxyHops,
): Promise<Response> {
  if (request.method === "POST") {
    const body = await readLimitedBody(request, UNSUBSCRIBE_BODY_LIMIT).catch(() => undefined);
    if (body === undefined) return plain(400, "That request was not understood.");
    if (body === null) return plain(413, "That request is too large for an unsubscribe link.");
  }
  return withOneRetry(async () => {
    const address = clientAddress(request.headers.get("x-forwarded-for"), trustedProxyHops);
    const limit = await consumeRateLimit(UNSUBSCRIBE_RATE_LIMIT, address, deps);
    if (!limit.allowed)
      return plain(429, `Too many requests from your network: try again in ${limit.retryAfterSeconds} seconds.`, {
        "Retry-After": String(limit.retryAfterSeconds),
      });
    if (request.method === "POST") {
      const result = await unsubscribeByToken(token, deps);
      return result.ok ? page(200, unsubscribedPage(result.sender, result.email)) : invalidLink();
    }
    const view = await describeUnsubscribeLink(token, deps);
    if (!view.ok) return invalidLink();
    return page(200, view.unsubscribed ? unsubscribedPage(view.sender, view.email) : askPage(view.sender, view.email));
  });
}

// A database hiccup is tried once more before the provider is told to come back later.
async function withOneRetry(answer: () => Promise<Response>): Promise<Response> {
  try {
    return await answer();
  } catch (first) {
    console.error(`[evergreen] unsubscribe: retrying after ${(first as Error).message}`);
    try {
      return await answer();
    } catch (second) {
      console.error(`[evergreen] unsubscribe: failed twice: ${(second as Error).message}`);
      return plain(503, "Evergreen could not record this just now. Please try the link again in a minute.", {
        "Retry-After": String(RETRY_AFTER_FAILURE_SECONDS),
      });
    }
  }
}

function invalidLink(): Response {
  return plain(
    400,
    "This unsubscribe link is not valid. Check that it was copied whole, or use the link in the latest email.",
  );
}

const HEADERS = { "Cache-Control": "no-store", "X-Robots-Tag": "noindex" };

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { ...HEADERS, ...headers, "Content-Type": "text/plain; charset=utf-8" },
  });
}

function page(status: number, html: string): Response {
  return new Response(html, { status, headers: { ...HEADERS, "Content-Type": "text/html; charset=utf-8" } });
}

function document(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`;
}

/** The GET: one button, which posts the one-click body to this same address. */
export function askPage(sender: string, email: string): string {
  return document(
    "Unsubscribe",
    `<h1>Unsubscribe</h1><p>Stop emails from ${escapeHtml(sender)} to ${escapeHtml(maskAddress(email))}?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
  );
}

export function unsubscribedPage(sender: string, email: string): string {
  return document(
    "You are unsubscribed",
    `<h1>You are unsubscribed</h1><p>You are unsubscribed from ${escapeHtml(sender)}'s emails.</p><p>${escapeHtml(maskAddress(email))} will get no more of them through Evergreen.</p>`,
  );
}

/** The recipient's own address, partly hidden, for a page anyone holding a forwarded link could open. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const shown = local.length > 4 ? 2 : 1;
  return `${local.slice(0, shown)}•••${email.slice(at)}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
