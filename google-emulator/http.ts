import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  cookies: Record<string, string>;
}

const JSON_TYPE = "application/json; charset=UTF-8";
const NO_STORE = "no-cache, no-store, max-age=0, must-revalidate";

export function json(status: number, data: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "Content-Type": JSON_TYPE, "Cache-Control": NO_STORE, ...headers },
    body: JSON.stringify(data, null, 2),
  };
}

export function html(status: number, markup: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": NO_STORE, ...headers },
    body: markup,
  };
}

export function redirect(location: string, headers: Record<string, string> = {}): Reply {
  return { status: 302, headers: { Location: location, "Cache-Control": NO_STORE, ...headers } };
}

export function notFound(): Reply {
  return { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "Not Found" };
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Form parameters from the body (urlencoded or JSON) merged over the query string. */
export function formParams(req: EmulatorRequest): URLSearchParams {
  const params = new URLSearchParams(req.url.searchParams);
  const type = String(req.headers["content-type"] ?? "");
  const text = req.body.toString("utf8");
  if (type.includes("application/json") && text.trim()) {
    const parsed = parseJsonOrUndefined(text);
    if (parsed && typeof parsed === "object") {
      for (const [key, value] of Object.entries(parsed)) params.set(key, String(value));
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(text)) params.append(key, value);
  return params;
}

export function bearerToken(req: EmulatorRequest): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? req.url.searchParams.get("access_token") ?? req.url.searchParams.get("oauth_token") ?? undefined;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
