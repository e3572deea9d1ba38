import { Server, type IncomingMessage, type ServerResponse } from "node:http";
import { appContentSecurityPolicy, createNonce } from "./content-security-policy";
import { getEnv } from "../platform/env";
import { allowedMethods, FORBIDDEN_METHODS, strictTransportSecurity } from "./request-guard";
import { SECURITY_HEADERS } from "./security-headers";

const INSTALLED = Symbol.for("evergreen.forbidden-methods");

/**
 * TRACE (with CONNECT and TRACK, the methods the Fetch standard forbids) never reaches proxy.ts: Next.js
 * makes a web Request for the proxy, whose constructor throws for them, and answers 500 without any of
 * Evergreen's headers. So every HTTP server of this process answers them itself before Next.js does:
 * 405 with Allow and the usual security headers. Called once at start-up (lib/platform/server-start.ts).
 */
export function refuseForbiddenMethods(server: Server = Server.prototype): void {
  const target = server as Server & { [INSTALLED]?: true };
  if (target[INSTALLED]) return;
  target[INSTALLED] = true;
  const emit = target.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  target.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    const [request, response] = args as [IncomingMessage, ServerResponse];
    if (event !== "request" || !FORBIDDEN_METHODS.has(request.method ?? "")) return emit.call(this, event, ...args);
    answerNotAllowed(request, response);
    return true;
  } as Server["emit"];
}

function answerNotAllowed(request: IncomingMessage, response: ServerResponse) {
  const env = getEnv();
  const pathname = URL.parse(request.url ?? "/", "http://localhost")?.pathname ?? "/";
  response.statusCode = 405;
  response.setHeader("Allow", allowedMethods(pathname).join(", "));
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  response.setHeader("Content-Security-Policy", appContentSecurityPolicy(env, createNonce()));
  const hsts = strictTransportSecurity(env.authUrl);
  if (hsts) response.setHeader("Strict-Transport-Security", hsts);
  response.setHeader("Content-Type", "text/plain; charset=utf-8");
  response.end("Method Not Allowed");
}
