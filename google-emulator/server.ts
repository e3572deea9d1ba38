import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleAccountChoice, handleAuthorize, handleConsent } from "./accounts/authorize";
import { errorPage } from "./accounts/screens";
import type { EmulatorContext } from "./context";
import { handleControl, type ControlHooks } from "./control/api";
import type { Fault } from "./control/faults";
import { handleProfile } from "./gmail/profile";
import { handleSend } from "./gmail/send";
import { handleThreadGet } from "./gmail/threads";
import { pagePolicy } from "./html-page";
import { html, json, notFound, parseCookies, readBody, type EmulatorRequest, type Reply } from "./http";
import { discoveryDocument, jwksDocument, pemCertsDocument } from "./oauth2/discovery";
import { handleRevoke } from "./oauth2/revoke-endpoint";
import { handleToken } from "./oauth2/token-endpoint";
import { handleTokenInfo } from "./oauth2/tokeninfo-endpoint";
import { handleUserInfo } from "./oauth2/userinfo-endpoint";
import { handleManagement, riscConfiguration } from "./risc/management-api";

const MAX_BODY_BYTES = 48 * 1024 * 1024;

interface Route {
  /** Name used for call counts and faults; control routes have none. */
  endpoint?: string;
  run(): Reply | Promise<Reply>;
}

function matchRoute(ctx: EmulatorContext, req: EmulatorRequest, hooks: ControlHooks): Route | undefined {
  const { method } = req;
  const path = req.url.pathname;
  const is = (m: string | string[], ...paths: string[]) =>
    (Array.isArray(m) ? m.includes(method) : m === method) && paths.includes(path);

  if (path === "/__emulator" || path.startsWith("/__emulator/")) return { run: () => handleControl(ctx, req, hooks) };
  if (is("GET", "/.well-known/openid-configuration"))
    return { endpoint: "discovery", run: () => discoveryDocument(ctx) };
  if (is("GET", "/oauth2/v3/certs")) return { endpoint: "certs", run: () => jwksDocument(ctx) };
  if (is("GET", "/oauth2/v1/certs")) return { endpoint: "certs", run: () => pemCertsDocument(ctx) };
  if (is("GET", "/o/oauth2/v2/auth", "/o/oauth2/auth"))
    return { endpoint: "authorize", run: () => handleAuthorize(ctx, req) };
  if (is("POST", "/o/oauth2/v2/auth/account"))
    return { endpoint: "authorize.account", run: () => handleAccountChoice(ctx, req) };
  if (is("POST", "/o/oauth2/v2/auth/consent"))
    return { endpoint: "authorize.consent", run: () => handleConsent(ctx, req) };
  if (is("POST", "/token", "/oauth2/v4/token", "/o/oauth2/token"))
    return { endpoint: "token", run: () => handleToken(ctx, req) };
  if (is("POST", "/revoke", "/o/oauth2/revoke")) return { endpoint: "revoke", run: () => handleRevoke(ctx, req) };
  if (is(["GET", "POST"], "/tokeninfo", "/oauth2/v3/tokeninfo"))
    return { endpoint: "tokeninfo", run: () => handleTokenInfo(ctx, req) };
  if (is(["GET", "POST"], "/v1/userinfo", "/oauth2/v3/userinfo"))
    return { endpoint: "userinfo", run: () => handleUserInfo(ctx, req, "oidc") };
  if (is(["GET", "POST"], "/oauth2/v2/userinfo"))
    return { endpoint: "userinfo", run: () => handleUserInfo(ctx, req, "v2") };
  if (is("GET", "/.well-known/risc-configuration"))
    return { endpoint: "risc.discovery", run: () => riscConfiguration(ctx) };
  if (is("GET", "/v1beta/stream")) return { endpoint: "risc.stream", run: () => handleManagement(ctx, req, "get") };
  if (is("POST", "/v1beta/stream:update"))
    return { endpoint: "risc.stream", run: () => handleManagement(ctx, req, "update") };
  if (is("GET", "/v1beta/stream/status"))
    return { endpoint: "risc.status", run: () => handleManagement(ctx, req, "status") };
  if (is("POST", "/v1beta/stream/status:update"))
    return { endpoint: "risc.status", run: () => handleManagement(ctx, req, "status:update") };
  if (is("POST", "/v1beta/stream:verify"))
    return { endpoint: "risc.verify", run: () => handleManagement(ctx, req, "verify") };

  const thread = /^\/gmail\/v1\/users\/([^/]+)\/threads\/([^/]+)$/.exec(path);
  if (thread && method === "GET") {
    const [, rawUserId = "", rawThreadId = ""] = thread;
    return {
      endpoint: "gmail.threads.get",
      run: () => handleThreadGet(ctx, req, decodeURIComponent(rawUserId), decodeURIComponent(rawThreadId)),
    };
  }
  const gmail = /^\/(upload\/)?gmail\/v1\/users\/([^/]+)\/(messages\/send|profile)$/.exec(path);
  if (gmail) {
    const [, upload, rawUserId = "", action] = gmail;
    const userId = decodeURIComponent(rawUserId);
    if (action === "messages/send" && method === "POST")
      return { endpoint: "gmail.send", run: () => handleSend(ctx, req, userId, upload !== undefined) };
    if (action === "profile" && method === "GET" && !upload)
      return { endpoint: "gmail.profile", run: () => handleProfile(ctx, req, userId) };
  }
  return undefined;
}

function faultReply(fault: Fault, endpoint: string): Reply {
  const status = fault.status ?? 500;
  if (fault.body !== undefined) {
    const body = typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body);
    const type = typeof fault.body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=UTF-8";
    return { status, headers: { "Content-Type": type, ...fault.headers }, body };
  }
  if (endpoint === "authorize")
    return html(
      status,
      errorPage(status, "server_error", "Something went wrong. Please try again later."),
      fault.headers,
    );
  if (endpoint.startsWith("gmail.")) {
    const message =
      status === 503
        ? "The service is currently unavailable."
        : status === 429
          ? "Resource has been exhausted (e.g. check quota)."
          : "Backend Error";
    const reason = status === 429 ? "rateLimitExceeded" : "backendError";
    const canonical = status === 503 ? "UNAVAILABLE" : status === 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL";
    return json(
      status,
      { error: { code: status, message, errors: [{ message, domain: "global", reason }], status: canonical } },
      fault.headers,
    );
  }
  if (endpoint.startsWith("risc."))
    return json(
      status,
      { error: { code: status, message: "Internal error encountered.", status: "INTERNAL" } },
      fault.headers,
    );
  return json(status, { error: "internal_failure", error_description: "Backend Error" }, fault.headers);
}

function write(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, withPagePolicy(reply.headers));
  res.end(reply.body);
}

// Every HTML page gets the emulator's strict CSP, unless its route gave it a policy of its own.
function withPagePolicy(headers: Record<string, string> = {}): Record<string, string> {
  const isPage = headers["Content-Type"]?.startsWith("text/html") && !headers["Content-Security-Policy"];
  return isPage ? { ...headers, "Content-Security-Policy": pagePolicy() } : headers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createEmulatorServer(ctx: EmulatorContext, hooks: ControlHooks & { afterRequest(): void }): Server {
  return createServer((incoming, res) => {
    // Reads never change state, except the authorization endpoint, which can mint a code silently.
    const mayChangeState = incoming.method !== "GET" || /^\/o\/oauth2\/(v2\/)?auth\b/.test(incoming.url ?? "");
    handle(ctx, hooks, incoming, res)
      .catch((error: unknown) => {
        console.error("[google-emulator]", error);
        if (!res.headersSent)
          write(res, json(500, { error: { code: 500, message: "Backend Error", status: "INTERNAL" } }));
      })
      .finally(() => {
        if (mayChangeState) hooks.afterRequest();
      });
  });
}

async function handle(
  ctx: EmulatorContext,
  hooks: ControlHooks,
  incoming: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(incoming, MAX_BODY_BYTES);
  if (!body) {
    write(res, json(413, { error: { code: 413, message: "Request Entity Too Large" } }));
    return;
  }
  const req: EmulatorRequest = {
    method: incoming.method ?? "GET",
    url: new URL(incoming.url ?? "/", ctx.baseUrl),
    headers: incoming.headers,
    body,
    cookies: parseCookies(incoming.headers.cookie),
  };
  const route = matchRoute(ctx, req, hooks);
  if (!route) {
    write(res, notFound());
    return;
  }
  const fault = route.endpoint ? takeFault(ctx, route.endpoint) : undefined;
  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault?.mode === "drop-before") {
    res.socket?.destroy();
    return;
  }
  if (fault?.mode === "respond" && (fault.status !== undefined || fault.body !== undefined) && route.endpoint) {
    write(res, faultReply(fault, route.endpoint));
    return;
  }
  const reply = await route.run();
  if (fault?.mode === "drop-after") {
    res.socket?.destroy();
    return;
  }
  write(res, reply);
}

function takeFault(ctx: EmulatorContext, endpoint: string): Fault | undefined {
  ctx.state.countCall(endpoint);
  return ctx.state.faults.take(endpoint);
}
