import { randomBytes } from "node:crypto";
import type { EmulatorContext } from "../context";
import { pagePolicy } from "../html-page";
import { formParams, html, redirect, type EmulatorRequest, type Reply } from "../http";
import { formatRedirectScopes, isKnownScope, isSignInScope, normalizeScopes } from "../oauth2/scopes";
import { accountChooserPage, consentPage, errorPage } from "./screens";
import type { AuthorizationRequest, Client, Interaction, User } from "../state";
import { randomToken } from "../oauth2/token-lifecycle";

export const SESSION_COOKIE = "GEMU_SID";
const INTERACTION_TTL_MS = 60 * 60 * 1000;
const OOB_URIS = new Set(["urn:ietf:wg:oauth:2.0:oob", "urn:ietf:wg:oauth:2.0:oob:auto", "oob"]);

type Parsed = { ok: true; request: AuthorizationRequest; client: Client } | { ok: false; reply: Reply };

function errorReply(
  code: number,
  error: string,
  message: string,
  details: Record<string, string> = {},
): { ok: false; reply: Reply } {
  return { ok: false, reply: html(code, errorPage(code, error, message, details)) };
}

/** Everything wrong with the request itself is shown on Google's own page; the app never hears of it. */
export function parseAuthorizationRequest(ctx: EmulatorContext, params: URLSearchParams): Parsed {
  const clientId = params.get("client_id");
  if (!clientId) return errorReply(400, "invalid_request", "Missing required parameter: client_id");
  const client = ctx.state.clients.get(clientId);
  if (!client) return errorReply(401, "invalid_client", "The OAuth client was not found.", { client_id: clientId });
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) return errorReply(400, "invalid_request", "Missing required parameter: redirect_uri");
  if (OOB_URIS.has(redirectUri)) {
    return errorReply(
      400,
      "invalid_request",
      "The out-of-band (OOB) flow has been blocked in order to keep users secure.",
      { redirect_uri: redirectUri },
    );
  }
  if (!client.redirectUris.includes(redirectUri)) {
    return errorReply(
      400,
      "redirect_uri_mismatch",
      `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. The redirect URI in the request, ${redirectUri}, does not match the ones authorized for the OAuth client.`,
      {
        redirect_uri: redirectUri,
        flowName: "GeneralOAuthFlow",
      },
    );
  }
  const responseType = params.get("response_type");
  if (!responseType) return errorReply(400, "invalid_request", "Required parameter is missing: response_type");
  if (responseType !== "code")
    return errorReply(400, "unsupported_response_type", `Invalid response_type: ${responseType}`);

  const approvalPrompt = params.get("approval_prompt");
  const promptParam = params.get("prompt");
  if (approvalPrompt !== null && promptParam !== null)
    return errorReply(400, "invalid_request", "Conflict params: approval_prompt and prompt");
  if (approvalPrompt !== null && approvalPrompt !== "force" && approvalPrompt !== "auto") {
    return errorReply(
      400,
      "invalid_request",
      `Invalid parameter value for approval_prompt: '${approvalPrompt}' is not valid`,
    );
  }
  const prompt = (promptParam ?? "").split(" ").filter(Boolean);
  if (
    prompt.some((p) => !["none", "consent", "select_account"].includes(p)) ||
    (prompt.includes("none") && prompt.length > 1)
  ) {
    return errorReply(400, "invalid_request", `Invalid parameter value for prompt: ${promptParam}`);
  }

  const scopeParam = params.get("scope");
  if (!scopeParam?.trim()) return errorReply(400, "invalid_request", "Missing required parameter: scope");
  const requestedScopes = scopeParam.split(/\s+/).filter(Boolean);
  const unknown = requestedScopes.filter((s) => !isKnownScope(s));
  if (unknown.length)
    return errorReply(400, "invalid_scope", `Some requested scopes were invalid. {invalid=[${unknown.join(", ")}]}`);

  const accessType = params.get("access_type") ?? "online";
  if (accessType !== "online" && accessType !== "offline")
    return errorReply(400, "invalid_request", `Invalid access_type: ${accessType}`);

  const codeChallenge = params.get("code_challenge") ?? undefined;
  const method = params.get("code_challenge_method") ?? (codeChallenge ? "plain" : undefined);
  if (method !== undefined && !codeChallenge)
    return errorReply(400, "invalid_request", "Missing code_challenge parameter.");
  if (method !== undefined && method !== "S256" && method !== "plain")
    return errorReply(400, "invalid_request", `Invalid code_challenge_method: ${method}`);
  if (codeChallenge && !/^[A-Za-z0-9\-._~]{43,128}$/.test(codeChallenge))
    return errorReply(400, "invalid_request", "Invalid code_challenge.");

  const optional = (name: string) => params.get(name) ?? undefined;
  const request: AuthorizationRequest = {
    clientId,
    redirectUri,
    requestedScopes,
    accessType,
    prompt,
    includeGrantedScopes: params.get("include_granted_scopes") === "true",
    ...strip({ state: optional("state"), nonce: optional("nonce"), loginHint: optional("login_hint"), codeChallenge }),
    ...(method ? { codeChallengeMethod: method } : {}),
    ...(approvalPrompt ? { approvalPrompt } : {}),
  };
  return { ok: true, request, client };
}

function strip<T extends Record<string, string | undefined>>(values: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}

export function handleAuthorize(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  const parsed = parseAuthorizationRequest(ctx, req.url.searchParams);
  if (!parsed.ok) return parsed.reply;
  const { request, client } = parsed;
  const { state } = ctx;
  const hinted = request.loginHint ? findHintedUser(ctx, request.loginHint) : undefined;
  const sessionUser = state.users.get(state.sessions.get(req.cookies[SESSION_COOKIE] ?? "") ?? "");

  if (request.prompt.includes("none")) {
    // Without screens only the browser's signed-in account can be used; a hint must name that account.
    const user = request.loginHint && hinted?.sub !== sessionUser?.sub ? undefined : sessionUser;
    const oidc = state.config.promptNoneError === "oidc";
    if (!user) return redirectWithError(ctx, request, oidc ? "login_required" : "interaction_required");
    if (needsConsent(ctx, request, user))
      return redirectWithError(ctx, request, oidc ? "consent_required" : "interaction_required");
    return completeAuthorization(ctx, request, user, normalizeScopes(request.requestedScopes), false);
  }

  for (const [id, stale] of state.interactions) if (stale.expiresAt <= state.clock.now()) state.interactions.delete(id);
  const interaction: Interaction = {
    id: randomToken(32),
    request,
    step: "account",
    expiresAt: state.clock.now() + INTERACTION_TTL_MS,
  };
  state.interactions.set(interaction.id, interaction);
  if (hinted && !request.prompt.includes("select_account")) return continueWithAccount(ctx, interaction, hinted);
  return html(200, accountChooserPage(interaction.id, client, [...state.users.values()]), screenHeaders(request));
}

// The screens' forms end on the client's redirect URI, and browsers hold form redirects to form-action.
function screenHeaders(request: AuthorizationRequest): Record<string, string> {
  return { "Content-Security-Policy": pagePolicy({ formTargets: [new URL(request.redirectUri).origin] }) };
}

function findHintedUser(ctx: EmulatorContext, hint: string): User | undefined {
  return ctx.state.users.get(hint) ?? ctx.state.findUserByEmail(hint);
}

function needsConsent(ctx: EmulatorContext, request: AuthorizationRequest, user: User): boolean {
  if (request.prompt.includes("consent")) return true;
  if (request.approvalPrompt === "force" && ctx.state.config.approvalPromptForceShowsConsent) return true;
  const grant = ctx.state.grantFor(user.sub, ctx.state.projectOf(request.clientId));
  if (!grant) return true;
  return normalizeScopes(request.requestedScopes).some((s) => !grant.scopes.includes(s));
}

function continueWithAccount(ctx: EmulatorContext, interaction: Interaction, user: User): Reply {
  const { request } = interaction;
  if (!needsConsent(ctx, request, user)) {
    ctx.state.interactions.delete(interaction.id);
    return completeAuthorization(ctx, request, user, normalizeScopes(request.requestedScopes), false);
  }
  interaction.step = "consent";
  interaction.userSub = user.sub;
  const client = ctx.state.clients.get(request.clientId);
  if (!client) return html(401, errorPage(401, "invalid_client", "The OAuth client was not found."));
  const nonSignIn = normalizeScopes(request.requestedScopes).filter((s) => !isSignInScope(s));
  const granular = nonSignIn.length > 0 && nonSignIn.length >= ctx.state.config.granularConsentMinScopes;
  return html(
    200,
    consentPage(interaction.id, client, user, request.requestedScopes, granular),
    screenHeaders(request),
  );
}

function takeInteraction(ctx: EmulatorContext, id: string | null, step: Interaction["step"]): Interaction | undefined {
  const interaction = id ? ctx.state.interactions.get(id) : undefined;
  if (!interaction || interaction.step !== step || interaction.expiresAt <= ctx.state.clock.now()) return undefined;
  return interaction;
}

const expiredInteraction = () =>
  html(
    400,
    errorPage(
      400,
      "invalid_request",
      "This sign-in request has expired or was already used. Go back to the app and try again.",
    ),
  );

export function handleAccountChoice(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  const form = formParams(req);
  const interaction = takeInteraction(ctx, form.get("interaction"), "account");
  if (!interaction) return expiredInteraction();
  const user = ctx.state.findUserByEmail(form.get("account") ?? "");
  if (!user) return html(400, errorPage(400, "invalid_request", "Couldn't find your Google Account."));
  const sessionId = req.cookies[SESSION_COOKIE] ?? randomBytes(16).toString("hex");
  ctx.state.sessions.set(sessionId, user.sub);
  const reply = continueWithAccount(ctx, interaction, user);
  reply.headers = { ...reply.headers, "Set-Cookie": `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax` };
  return reply;
}

export function handleConsent(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  const form = formParams(req);
  const interaction = takeInteraction(ctx, form.get("interaction"), "consent");
  const user = interaction?.userSub ? ctx.state.users.get(interaction.userSub) : undefined;
  if (!interaction || !user) return expiredInteraction();
  ctx.state.interactions.delete(interaction.id);
  const { request } = interaction;
  if (form.get("action") !== "allow") return redirectWithError(ctx, request, "access_denied");

  const requested = normalizeScopes(request.requestedScopes);
  const nonSignIn = requested.filter((s) => !isSignInScope(s));
  const granular = nonSignIn.length > 0 && nonSignIn.length >= ctx.state.config.granularConsentMinScopes;
  const ticked = new Set(form.getAll("scope"));
  const granted = requested.filter((s) => isSignInScope(s) || !granular || ticked.has(s));
  if (granted.length === 0) return redirectWithError(ctx, request, "access_denied");

  const now = ctx.state.clock.now();
  const projectId = ctx.state.projectOf(request.clientId);
  const grant = ctx.state.grantFor(user.sub, projectId);
  ctx.state.saveGrant({
    userSub: user.sub,
    projectId,
    scopes: normalizeScopes([...(grant?.scopes ?? []), ...granted]),
    firstGrantedAt: grant?.firstGrantedAt ?? now,
    lastConsentAt: now,
  });
  return completeAuthorization(ctx, request, user, granted, true);
}

function completeAuthorization(
  ctx: EmulatorContext,
  request: AuthorizationRequest,
  user: User,
  granted: string[],
  consentShown: boolean,
): Reply {
  const { state } = ctx;
  const now = state.clock.now();
  const grant = state.grantFor(user.sub, state.projectOf(request.clientId));
  const scopes = request.includeGrantedScopes ? normalizeScopes([...granted, ...(grant?.scopes ?? [])]) : granted;
  const code = `4/0A${randomToken(60)}`;
  state.codes.set(code, {
    code,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    userSub: user.sub,
    scopes,
    accessType: request.accessType,
    consentShown,
    createdAt: now,
    expiresAt: now + state.config.authCodeTtlSeconds * 1000,
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    ...(request.codeChallenge !== undefined
      ? { codeChallenge: request.codeChallenge, codeChallengeMethod: request.codeChallengeMethod ?? "plain" }
      : {}),
  });
  const url = new URL(request.redirectUri);
  if (request.state !== undefined) url.searchParams.set("state", request.state);
  url.searchParams.set("code", code);
  url.searchParams.set("scope", formatRedirectScopes(scopes, request.requestedScopes));
  url.searchParams.set("authuser", "0");
  url.searchParams.set("prompt", consentShown ? "consent" : "none");
  if (state.config.issParameter) url.searchParams.set("iss", ctx.baseUrl);
  return redirect(url.toString());
}

function redirectWithError(ctx: EmulatorContext, request: AuthorizationRequest, error: string): Reply {
  const url = new URL(request.redirectUri);
  url.searchParams.set("error", error);
  if (error === "interaction_required") url.searchParams.set("error_subtype", "access_denied");
  if (request.state !== undefined) url.searchParams.set("state", request.state);
  if (ctx.state.config.issParameter) url.searchParams.set("iss", ctx.baseUrl);
  return redirect(url.toString());
}
