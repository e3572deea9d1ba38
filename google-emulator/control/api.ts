import { z } from "zod";
import { mergeConfig } from "../config";
import type { EmulatorContext } from "../context";
import { parseFault } from "./faults";
import { html, json, notFound, type EmulatorRequest, type Reply } from "../http";
import { EMAIL_HTML_POLICY, emailHtmlDocument, mailboxPage, MESSAGE_PAGE_POLICY, messagePage } from "./mailbox-page";
import type { Client, Grant, SentMessage, User } from "../state";
import { isAccessTokenAlive, isRefreshTokenAlive, isRefreshTokenExpired } from "../oauth2/token-lifecycle";
import { handleRiscControl } from "../risc/control-routes";
import { AUTO_REPLY_MARKERS, deliverToThread, type AutoReplyMarker, type IncomingMail } from "../gmail/incoming";

export interface ControlHooks {
  reset(): void;
}

const userSchema = z.object({
  email: z.string().email(),
  name: z.string().min(1).optional(),
  sub: z
    .string()
    .regex(/^\d{1,255}$/)
    .optional(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  picture: z.string().optional(),
  emailVerified: z.boolean().optional(),
});

const clientSchema = z.object({
  id: z.string().min(1),
  secret: z.string().min(1),
  redirectUris: z.array(z.string().url()).min(1),
  publishingStatus: z.enum(["production", "testing"]).default("production"),
  projectId: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
});

const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO date, e.g. 2026-03-01T09:30:00Z");
const replySchema = z.object({
  from: z.string().email(),
  fromName: z.string().min(1).optional(),
  text: z.string().optional(),
  subject: z.string().min(1).optional(),
  at: isoDate.optional(),
});
const autoReplySchema = replySchema.extend({
  kind: z.enum(Object.keys(AUTO_REPLY_MARKERS) as [AutoReplyMarker, ...AutoReplyMarker[]]).optional(),
});
const bounceSchema = z.object({
  recipient: z.string().email().optional(),
  text: z.string().optional(),
  at: isoDate.optional(),
});

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function bodyJson(req: EmulatorRequest): unknown {
  const text = req.body.toString("utf8").trim();
  return text ? JSON.parse(text) : {};
}

function badInput(message: string): Reply {
  return json(400, { error: message });
}

function numericSub(email: string): string {
  let hash = 0n;
  for (const char of email.toLowerCase()) hash = (hash * 131n + BigInt(char.codePointAt(0) ?? 0)) % 10n ** 20n;
  return `1${hash.toString().padStart(20, "0")}`;
}

export async function handleControl(ctx: EmulatorContext, req: EmulatorRequest, hooks: ControlHooks): Promise<Reply> {
  const { state } = ctx;
  const path = req.url.pathname.replace(/^\/__emulator/, "").replace(/\/$/, "") || "/";
  const route = `${req.method} ${path}`;
  try {
    if (route === "GET /")
      return html(
        200,
        mailboxPage(
          {
            messages: state.messages,
            users: [...state.users.values()],
            clients: [...state.clients.values()],
            grants: [...state.grants.values()],
            streams: [...state.risc.streams.values()],
            disabledUsers: new Set(state.risc.disabledUsers.keys()),
          },
          (sub) => state.users.get(sub),
        ),
      );
    if (route === "POST /reset") {
      hooks.reset();
      return json(200, { ok: true });
    }
    if (route === "GET /users") return json(200, { users: [...state.users.values()] });
    if (route === "POST /users") {
      const input = userSchema.parse(bodyJson(req));
      const name = input.name ?? input.email.split("@")[0] ?? input.email;
      const user: User = {
        sub: input.sub ?? state.findUserByEmail(input.email)?.sub ?? numericSub(input.email),
        email: input.email,
        emailVerified: input.emailVerified ?? true,
        name,
        givenName: input.givenName ?? name.split(" ")[0] ?? name,
        familyName: input.familyName ?? name.split(" ").slice(1).join(" "),
        picture: input.picture ?? `https://lh3.googleusercontent.com/a/${encodeURIComponent(input.email)}=s96-c`,
      };
      const existing = state.findUserByEmail(input.email);
      if (existing) state.users.delete(existing.sub);
      state.addUser(user);
      return json(201, { user });
    }
    if (route === "GET /clients") return json(200, { clients: [...state.clients.values()] });
    if (route === "POST /clients") {
      const client: Client = stripUndefined(clientSchema.parse(bodyJson(req)));
      state.addClient(client);
      return json(201, { client });
    }
    if (route === "GET /config") return json(200, { config: state.config });
    if (route === "POST /config") {
      state.config = mergeConfig(state.config, bodyJson(req) as object);
      return json(200, { config: state.config });
    }
    if (route === "GET /clock" || route === "POST /clock") {
      if (req.method === "POST") {
        const { advanceSeconds } = z.object({ advanceSeconds: z.number() }).parse(bodyJson(req));
        state.clock.advance(advanceSeconds);
      }
      return json(200, { now: new Date(state.clock.now()).toISOString(), offsetSeconds: state.clock.offsetMs / 1000 });
    }
    if (route === "GET /faults") return json(200, { faults: state.faults.list() });
    if (route === "POST /faults") {
      const fault = parseFault(bodyJson(req));
      state.faults.add(fault);
      return json(201, { fault });
    }
    if (route === "DELETE /faults") {
      state.faults.clear();
      return json(200, { ok: true });
    }
    if (route === "GET /grants") {
      return json(200, { grants: [...state.grants.values()].map((grant) => grantView(ctx, grant)) });
    }
    if (route === "GET /tokens") return json(200, listTokens(ctx));
    if (route === "GET /calls") return json(200, { calls: state.calls });
    if (route === "GET /messages")
      return json(200, { messages: state.messages.map((message) => messageView(ctx, message)) });
    const messageMatch = /^\/messages\/([0-9a-f]+)(\/html)?$/.exec(path);
    if (req.method === "GET" && messageMatch) {
      const message = state.messages.find((m) => m.id === messageMatch[1]);
      if (!message || (messageMatch[2] && message.html === null)) return notFound();
      return messageMatch[2]
        ? html(200, emailHtmlDocument(message), { "Content-Security-Policy": EMAIL_HTML_POLICY })
        : html(200, messagePage(message), { "Content-Security-Policy": MESSAGE_PAGE_POLICY });
    }
    const threadMatch = /^\/threads\/([^/]+)\/(reply|auto-reply|bounce)$/.exec(path);
    if (req.method === "POST" && threadMatch) return await addToThread(ctx, req, threadMatch[1] ?? "", threadMatch[2]);
    return (await handleRiscControl(ctx, req, path)) ?? notFound();
  } catch (error) {
    if (error instanceof z.ZodError)
      return badInput(error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    if (error instanceof Error) return badInput(error.message);
    throw error;
  }
}

/** POST /threads/:threadId/reply|auto-reply|bounce: a message arrives in the user's thread. */
async function addToThread(ctx: EmulatorContext, req: EmulatorRequest, rawThreadId: string, action?: string) {
  const threadId = decodeURIComponent(rawThreadId);
  const message = await deliverToThread(ctx, threadId, incomingMail(action, bodyJson(req)));
  if (!message) return json(404, { error: `No thread ${threadId}` });
  return json(201, { message: { id: message.id, threadId: message.threadId } });
}

function incomingMail(action: string | undefined, body: unknown): IncomingMail {
  if (action === "bounce") return { kind: "bounce", ...stripUndefined(bounceSchema.parse(body)) };
  if (action === "auto-reply") {
    const { kind, ...rest } = autoReplySchema.parse(body);
    return { kind: "auto-reply", ...stripUndefined(rest), ...(kind ? { marker: kind } : {}) };
  }
  return { kind: "reply", ...stripUndefined(replySchema.parse(body)) };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** What the control API takes and answers; control/client.ts reads these types. */
export type UserInput = z.input<typeof userSchema>;
export type ClientInput = z.input<typeof clientSchema>;
export type GrantView = ReturnType<typeof grantView>;
export type MessageView = ReturnType<typeof messageView>;
export type ReplyInput = z.input<typeof replySchema>;
export type AutoReplyInput = z.input<typeof autoReplySchema>;
export type BounceInput = z.input<typeof bounceSchema>;
export type TokenList = ReturnType<typeof listTokens>;

function grantView(ctx: EmulatorContext, g: Grant) {
  return {
    user: ctx.state.users.get(g.userSub)?.email,
    userSub: g.userSub,
    projectId: g.projectId,
    scopes: g.scopes,
    firstGrantedAt: iso(g.firstGrantedAt),
    lastConsentAt: iso(g.lastConsentAt),
  };
}

function messageView(ctx: EmulatorContext, m: SentMessage) {
  return { ...m, sentAt: iso(m.sentAt), user: ctx.state.users.get(m.userSub)?.email };
}

function listTokens(ctx: EmulatorContext) {
  const { state } = ctx;
  // What every token shows, refresh or access.
  const common = (t: { token: string; userSub: string; clientId: string; projectId: string; scopes: string[] }) => ({
    token: t.token,
    user: state.users.get(t.userSub)?.email,
    userSub: t.userSub,
    clientId: t.clientId,
    projectId: t.projectId,
    scopes: t.scopes,
  });
  return {
    refreshTokens: [...state.refreshTokens.values()].map((t) => ({
      ...common(t),
      createdAt: iso(t.createdAt),
      lastUsedAt: iso(t.lastUsedAt),
      expiresAt: iso(t.expiresAt),
      revokedAt: iso(t.revokedAt),
      revokedReason: t.revokedReason ?? null,
      expired: isRefreshTokenExpired(state, t),
      alive: isRefreshTokenAlive(state, t),
    })),
    accessTokens: [...state.accessTokens.values()].map((t) => ({
      ...common(t),
      refreshToken: t.refreshToken ?? null,
      issuedAt: iso(t.issuedAt),
      expiresAt: iso(t.expiresAt),
      revokedAt: iso(t.revokedAt),
      expired: state.clock.now() >= t.expiresAt,
      alive: isAccessTokenAlive(state, t),
    })),
  };
}
