import type { EmulatorContext } from "../context";
import { hasIdentityScope } from "../oauth2/scopes";
import type { EmulatorState, RefreshToken, User } from "../state";
import { EVENT_TYPES, tokenIdentifier, type EventTypeUri, type SecurityEvent, type Subject } from "./events";
import type { Stream } from "./risc-state";
import { setClaims, signSet, signWithFault } from "./security-event-token";

/** One stream that hears about one event, and the client id its SET is addressed to. */
export interface Recipient {
  stream: Stream;
  aud: string;
}

/** The issuer of the discovery document and of every SET (§2.3: Google's slash is uncertain). */
export function riscIssuer(ctx: EmulatorContext): string {
  return ctx.state.config.riscIssuerTrailingSlash ? `${ctx.baseUrl}/` : ctx.baseUrl;
}

export function firstClientOf(state: EmulatorState, projectId: string): string | undefined {
  return [...state.clients.values()].find((client) => state.projectOf(client.id) === projectId)?.id;
}

/** The client the user's grant was used through: that of their newest refresh token, else the project's first. */
function audienceFor(state: EmulatorState, userSub: string, projectId: string): string | undefined {
  const newest = [...state.refreshTokens.values()]
    .filter((t) => t.userSub === userSub && t.projectId === projectId)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  return newest?.clientId ?? firstClientOf(state, projectId);
}

/**
 * The streams that hear about this user: those that asked for the type, in projects where the user's grant
 * includes openid, email or profile (§1.1). Call it before a change that ends the grant.
 */
export function recipientsFor(
  ctx: EmulatorContext,
  userSub: string,
  type: EventTypeUri,
  projectIds?: string[],
): Recipient[] {
  const { state } = ctx;
  const recipients: Recipient[] = [];
  for (const stream of state.risc.streams.values()) {
    if (projectIds && !projectIds.includes(stream.projectId)) continue;
    if (!stream.events_requested.includes(type)) continue;
    const grant = state.grantFor(userSub, stream.projectId);
    if (!grant || !hasIdentityScope(grant.scopes)) continue;
    const aud = audienceFor(state, userSub, stream.projectId);
    if (aud) recipients.push({ stream, aud });
  }
  return recipients;
}

export function userSubject(ctx: EmulatorContext, user: User): Subject {
  return { subject_type: "iss-sub", iss: riscIssuer(ctx), sub: user.sub };
}

/** One SET per recipient, each with a fresh jti; a disabled stream drops it at once, unbuffered (§1.5). */
export function transmit(
  ctx: EmulatorContext,
  recipients: Recipient[],
  event: SecurityEvent,
  userEmail: string | null,
): number {
  const { state } = ctx;
  for (const { stream, aud } of recipients) {
    const claims = setClaims(event, { iss: riscIssuer(ctx), aud, iat: state.clock.nowSeconds() });
    const job = { jti: claims.jti, eventType: event.type, userEmail, url: stream.delivery.url };
    if (stream.status === "disabled") {
      const set = signSet(claims, ctx.key, state.config.riscSetTyp);
      ctx.riscDelivery.recordDrop({ ...job, set, fault: null }, "stream disabled");
      continue;
    }
    const fault = state.risc.takeFault();
    const set = signWithFault(claims, ctx.key, state.config.riscSetTyp, fault?.kind);
    ctx.riscDelivery.submit({ ...job, set, fault: fault?.kind ?? null, delayMs: fault?.delayMs });
  }
  return recipients.length;
}

export function emitUserEvent(
  ctx: EmulatorContext,
  user: User,
  type: EventTypeUri,
  attributes?: SecurityEvent["attributes"],
): number {
  return transmit(
    ctx,
    recipientsFor(ctx, user.sub, type),
    { type, subject: userSubject(ctx, user), attributes },
    user.email,
  );
}

/** token-revoked for one refresh token, to its own project's stream (§2.6). */
export function emitTokenRevoked(ctx: EmulatorContext, token: RefreshToken): number {
  const { state } = ctx;
  const type = EVENT_TYPES["token-revoked"];
  const user = state.users.get(token.userSub);
  const alg = state.config.riscTokenIdentifierAlg;
  const subject: Subject = {
    subject_type: "oauth_token",
    token_type: "refresh_token",
    token_identifier_alg: alg,
    token: tokenIdentifier(token.token, alg),
    ...(state.config.riscTokenSubjectIncludesSub ? { sub: token.userSub, iss: riscIssuer(ctx) } : {}),
  };
  const recipients = recipientsFor(ctx, token.userSub, type, [token.projectId]);
  return transmit(ctx, recipients, { type, subject }, user?.email ?? null);
}

/** stream:verify's test SET: no subject, the caller's state, to the project's first client (§1.6). */
export function emitVerification(ctx: EmulatorContext, stream: Stream, state: string | undefined): void {
  const type = EVENT_TYPES.verification;
  const aud = firstClientOf(ctx.state, stream.projectId);
  if (!aud || !stream.events_requested.includes(type)) return;
  transmit(ctx, [{ stream, aud }], { type, attributes: state === undefined ? {} : { state } }, null);
}
