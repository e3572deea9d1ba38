import { createPublicKey } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import type { EmulatorContext } from "../context";
import { bearerToken, json, type EmulatorRequest, type Reply } from "../http";
import { isKnownEventType, PUSH_DELIVERY, PUSH_DELIVERY_AS_ADVERTISED } from "./events";
import type { ServiceAccount, Stream } from "./risc-state";
import { emitVerification, firstClientOf, riscIssuer } from "./transmitter";

/** The audience of a self-signed service-account JWT for the management API (google-risc.md §1.3). */
export const RISC_MANAGEMENT_AUDIENCE = "https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService";

const CREDENTIALS =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

function googleError(code: number, status: string, message: string, headers?: Record<string, string>): Reply {
  return json(code, { error: { code, message, status } }, headers);
}

const invalidArgument = (message: string) => googleError(400, "INVALID_ARGUMENT", message);
const permissionDenied = (message: string) => googleError(403, "PERMISSION_DENIED", message);
const unauthenticated = (message: string) =>
  googleError(401, "UNAUTHENTICATED", message, { "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"' });

/** `/.well-known/risc-configuration`, with SEC2's field names (§1.2) and this emulator's URLs. */
export function riscConfiguration(ctx: EmulatorContext): Reply {
  const base = ctx.baseUrl;
  return json(
    200,
    {
      issuer: riscIssuer(ctx),
      jwks_uri: `${base}/oauth2/v3/certs`,
      delivery_methods_supported: [PUSH_DELIVERY_AS_ADVERTISED],
      add_subject_endpoint: `${base}/v1beta/subjects:add`,
      remove_subject_endpoint: `${base}/v1beta/subjects:remove`,
      get_configuration_endpoint: `${base}/v1beta/stream`,
      update_configuration_endpoint: `${base}/v1beta/stream:update`,
      get_status_endpoint: `${base}/v1beta/stream/status`,
      update_status_endpoint: `${base}/v1beta/stream/status:update`,
      verification_endpoint: `${base}/v1beta/stream:verify`,
    },
    { "Cache-Control": "public, max-age=3600" },
  );
}

type Caller = { ok: true; account: ServiceAccount } | { ok: false; reply: Reply };

/** A self-signed service-account JWT: RS256 by a registered key, iss = sub = its email, at most an hour long. */
async function authenticate(ctx: EmulatorContext, req: EmulatorRequest): Promise<Caller> {
  const token = /^Bearer\s+(\S+)$/i.test(req.headers.authorization ?? "") ? bearerToken(req) : undefined;
  const invalid = {
    ok: false as const,
    reply: unauthenticated(`Request had invalid authentication credentials. ${CREDENTIALS}`),
  };
  if (!token)
    return {
      ok: false,
      reply: unauthenticated(`Request is missing required authentication credential. ${CREDENTIALS}`),
    };
  let kid: string | undefined;
  let issuer: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
    issuer = decodeJwt(token).iss;
  } catch {
    return invalid;
  }
  const account = issuer === undefined ? undefined : ctx.state.risc.serviceAccounts.get(issuer);
  if (!account || account.keyId !== kid) return invalid;
  try {
    const { payload } = await jwtVerify(token, createPublicKey(account.publicKeyPem), {
      algorithms: ["RS256"],
      issuer: account.email,
      subject: account.email,
      audience: RISC_MANAGEMENT_AUDIENCE,
      requiredClaims: ["iat", "exp"],
      currentDate: new Date(ctx.state.clock.now()),
    });
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > 3600) return invalid;
  } catch {
    return invalid;
  }
  return { ok: true, account };
}

function bodyObject(req: EmulatorRequest): Record<string, unknown> | undefined {
  const text = req.body.toString("utf8").trim();
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const isLoopback = (host: string) => ["127.0.0.1", "localhost", "[::1]"].includes(host);

/** Validates a stream config the way §1.7 lists Google's errors; answers the stream's new settings or a reply. */
function parseStreamConfig(
  ctx: EmulatorContext,
  body: Record<string, unknown>,
): Pick<Stream, "delivery" | "events_requested"> | Reply {
  const delivery = body.delivery as Record<string, unknown> | undefined;
  if (!delivery || typeof delivery !== "object") return invalidArgument("Missing required field: delivery");
  if (typeof delivery.delivery_method !== "string" || !delivery.delivery_method)
    return invalidArgument("Missing required field: delivery.delivery_method");
  if (typeof delivery.url !== "string" || !delivery.url) return invalidArgument("Missing required field: delivery.url");
  if (!Array.isArray(body.events_requested)) return invalidArgument("Missing required field: events_requested");
  if (!body.events_requested.every((e) => typeof e === "string"))
    return invalidArgument("Invalid value at 'events_requested': every entry must be a string");
  if (![PUSH_DELIVERY, PUSH_DELIVERY_AS_ADVERTISED].includes(delivery.delivery_method))
    return invalidArgument(`Unsupported delivery method: ${delivery.delivery_method}`);
  let url: URL;
  try {
    url = new URL(delivery.url);
  } catch {
    return invalidArgument("Invalid value at 'delivery.url'");
  }
  const loopbackAllowed = ctx.state.config.riscAllowHttpLoopback && isLoopback(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackAllowed))
    return permissionDenied("The delivery URL must use HTTPS.");
  return {
    delivery: { delivery_method: delivery.delivery_method, url: delivery.url },
    events_requested: body.events_requested as string[],
  };
}

const noConfig = () =>
  googleError(404, "NOT_FOUND", "No RISC configuration found for this project. Call stream:update first.");

function streamView(stream: Stream) {
  return {
    delivery: stream.delivery,
    events_requested: stream.events_requested,
    // What Google would actually send of what was asked for (undocumented; SSF's name for it).
    events_delivered: stream.events_requested.filter(isKnownEventType),
  };
}

/** The management API at /v1beta/… (risc.googleapis.com); the route names the action. */
export async function handleManagement(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  action: "get" | "update" | "status" | "status:update" | "verify",
): Promise<Reply> {
  const caller = await authenticate(ctx, req);
  if (!caller.ok) return caller.reply;
  const { projectId } = caller.account;
  if (!firstClientOf(ctx.state, projectId))
    return permissionDenied(`Project ${projectId} has no OAuth client. Create one before configuring RISC.`);
  const body = req.method === "POST" ? bodyObject(req) : {};
  if (!body) return invalidArgument("Invalid JSON payload received.");
  const streams = ctx.state.risc.streams;
  const stream = streams.get(projectId);

  if (action === "update") {
    const config = parseStreamConfig(ctx, body);
    if (!("delivery" in config)) return config;
    const saved: Stream = {
      projectId,
      ...config,
      status: stream?.status ?? "enabled",
      updatedAt: ctx.state.clock.now(),
    };
    streams.set(projectId, saved);
    return json(200, { delivery: saved.delivery, events_requested: saved.events_requested });
  }
  if (!stream) return noConfig();
  if (action === "get") return json(200, streamView(stream));
  if (action === "status") return json(200, { status: stream.status });
  if (action === "status:update") {
    if (body.status === undefined) return invalidArgument("Missing required field: status");
    if (body.status !== "enabled" && body.status !== "disabled")
      return permissionDenied(`Unsupported status value: ${String(body.status)}`);
    stream.status = body.status;
    return json(200, { status: stream.status });
  }
  if (body.state !== undefined && typeof body.state !== "string")
    return invalidArgument("Invalid value at 'state': must be a string");
  emitVerification(ctx, stream, body.state as string | undefined);
  return json(200, {});
}
