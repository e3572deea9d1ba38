import { createPublicKey } from "node:crypto";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { formParams, json, redirect, type EmulatorRequest, type Reply } from "../http";
import { isRefreshTokenAlive } from "../oauth2/token-lifecycle";
import type { User } from "../state";
import { EVENT_TYPES, eventTypeFrom } from "./events";
import { parseSetFault } from "./risc-state";
import { emitTokenRevoked, emitUserEvent } from "./transmitter";
import {
  changePassword,
  disableAccount,
  enableAccount,
  projectsOf,
  removeAccess,
  revokeRefreshToken,
} from "./triggers";

const reasonSchema = z.enum(["hijacking", "bulk-account"]).optional();

const triggerSchema = z.object({
  email: z.string().email(),
  type: z.string().min(1),
  reason: reasonSchema,
  state: z.string().optional(),
  /** token-revoked only: the refresh token it names (left alive). */
  token: z.string().optional(),
});

const serviceAccountSchema = z.object({
  email: z.string().email(),
  publicKeyPem: z.string().min(1),
  keyId: z.string().min(1),
  projectId: z.string().min(1),
});

function bodyJson(req: EmulatorRequest): unknown {
  const text = req.body.toString("utf8").trim();
  return text ? JSON.parse(text) : {};
}

/**
 * The control routes of Cross-Account Protection (see README, "Security events"); undefined when the
 * route is not one of them. Every trigger changes state first, then queues its SETs; none waits for delivery.
 */
export async function handleRiscControl(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  path: string,
): Promise<Reply | undefined> {
  const { state } = ctx;
  const route = `${req.method} ${path}`;
  const findUser = (email: string): User | undefined => state.findUserByEmail(decodeURIComponent(email));

  if (route === "GET /risc/deliveries") return json(200, { deliveries: ctx.riscDelivery.deliveries() });
  if (route === "POST /risc/flush") return json(200, { pending: await ctx.riscDelivery.flush() });
  if (route === "GET /risc/streams")
    return json(200, {
      streams: [...state.risc.streams.values()].map((s) => ({ ...s, updatedAt: new Date(s.updatedAt).toISOString() })),
    });
  if (route === "GET /risc/faults") return json(200, { faults: state.risc.listFaults() });
  if (route === "POST /risc/faults") {
    const fault = parseSetFault(bodyJson(req));
    state.risc.addFault(fault);
    return json(201, { fault });
  }
  if (route === "DELETE /risc/faults") {
    state.risc.clearFaults();
    return json(200, { ok: true });
  }
  if (route === "POST /risc/trigger") {
    const input = triggerSchema.parse(bodyJson(req));
    const user = state.findUserByEmail(input.email);
    if (!user) return json(404, { error: "Unknown user" });
    const type = eventTypeFrom(input.type);
    if (!type) return json(400, { error: `Unknown event type: ${input.type}` });
    if (type === EVENT_TYPES.verification) return json(400, { error: "verification has no user: use stream:verify" });
    if (type === EVENT_TYPES["token-revoked"]) {
      const token = input.token === undefined ? undefined : state.refreshTokens.get(input.token);
      if (!token || token.userSub !== user.sub) return json(400, { error: "token-revoked needs a token of this user" });
      return json(200, { type, sets: emitTokenRevoked(ctx, token) });
    }
    const attributes = {
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.state !== undefined ? { state: input.state } : {}),
    };
    return json(200, { type, sets: emitUserEvent(ctx, user, type, attributes) });
  }
  if (route === "GET /service-accounts")
    return json(200, { serviceAccounts: [...state.risc.serviceAccounts.values()] });
  if (route === "POST /service-accounts") {
    const account = serviceAccountSchema.parse(bodyJson(req));
    createPublicKey(account.publicKeyPem);
    state.risc.addServiceAccount(account);
    return json(201, { serviceAccount: account });
  }
  if (route === "POST /tokens/revoke") {
    const { token: value } = z.object({ token: z.string().min(1) }).parse(bodyJson(req));
    const token = state.refreshTokens.get(value);
    if (!token) return json(404, { error: "Unknown refresh token" });
    if (!isRefreshTokenAlive(state, token)) return json(409, { error: "Refresh token already dead" });
    revokeRefreshToken(ctx, token);
    return json(200, { revoked: token.token });
  }
  // The mailbox page's "Remove access" button: a plain form post, then back to the page.
  if (route === "POST /grants/remove") {
    const form = formParams(req);
    const user = state.users.get(form.get("userSub") ?? "");
    const projectId = form.get("projectId");
    if (!user || !projectId) return json(400, { error: "userSub and projectId are required" });
    removeAccess(ctx, user, [projectId]);
    return redirect("/__emulator/");
  }

  const userRoute = /^\/users\/([^/]+)\/(revoke|password-change|disable|enable)$/.exec(path);
  if (req.method !== "POST" || !userRoute?.[1]) return undefined;
  const user = findUser(userRoute[1]);
  if (!user) return json(404, { error: "Unknown user" });
  switch (userRoute[2]) {
    case "revoke": {
      const { clientId } = z.object({ clientId: z.string().optional() }).parse(bodyJson(req));
      const projects = clientId ? [state.projectOf(clientId)] : projectsOf(ctx, user.sub);
      removeAccess(ctx, user, projects);
      return json(200, { revokedProjects: projects });
    }
    case "password-change":
      return json(200, changePassword(ctx, user));
    case "disable": {
      const { reason } = z.object({ reason: reasonSchema }).parse(bodyJson(req));
      disableAccount(ctx, user, reason);
      return json(200, { disabled: true, reason: reason ?? null });
    }
    default:
      enableAccount(ctx, user);
      return json(200, { disabled: false });
  }
}
