import { createHmac, timingSafeEqual } from "node:crypto";
import { GOOGLE, storedTokensReadable } from "./status";
import { appDeps, type AppDeps } from "../platform/deps";
import { ReconnectRequiredError } from "../platform/errors";
import { canSendMail, GoogleRejectedError, GoogleUnavailableError } from "../google/oauth";
import { getAccessToken } from "./tokens";

/**
 * Whether a Google sign-in shows Google's consent screen. Google issues a refresh token only after
 * consent, so Evergreen asks for it unless the account this browser last signed in with still holds
 * a refresh token proven to work; each needless consent also mints a token that pushes out the oldest
 * of Google's 100 per user and client.
 */

/** A refresh this recent proves the stored refresh token without asking Google again. */
export const PROVEN_FOR_MS = 60 * 60_000;

/**
 * True when the refresh token stored for this Google account works: the connection is healthy, may
 * send, and its token was refreshed within the hour or is refreshed now. Unknown is not healthy.
 */
export async function hasProvenRefreshToken(providerAccountId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  const account = await deps.db.account.findUnique({
    where: { provider_providerAccountId: { provider: GOOGLE, providerAccountId } },
    select: { id: true, userId: true, status: true, scope: true, refresh_token: true, lastRefreshedAt: true },
  });
  if (!account?.refresh_token || account.status !== "CONNECTED" || !canSendMail(account.scope)) return false;
  if (!storedTokensReadable(deps.vault, account.id, account.refresh_token)) return false;
  const sinceRefresh = account.lastRefreshedAt ? deps.now().getTime() - account.lastRefreshedAt.getTime() : Infinity;
  if (sinceRefresh < PROVEN_FOR_MS) return true;
  try {
    await getAccessToken(account.userId, deps, { force: true });
    return true;
  } catch (error) {
    if (
      error instanceof ReconnectRequiredError ||
      error instanceof GoogleUnavailableError ||
      error instanceof GoogleRejectedError
    )
      return false;
    throw error;
  }
}

/** Google authorization parameters for one sign-in; `access_type=offline` and the scopes come from the provider. */
export type GooglePrompt = { prompt?: string; login_hint?: string };

/**
 * What the sign-in page asks Google for. `remembered` is the Google account (its `sub`) this browser
 * last signed in with, from a cookie only the server can write: it is hinted so Google need not ask
 * which account, and consent is skipped only while its refresh token is proven. Google still decides
 * who signs in. `anotherAccount`: the user asked to choose, so nothing is known about the account.
 */
export async function signInPrompt(
  remembered: string | undefined,
  options: { anotherAccount?: boolean } = {},
  deps: AppDeps = appDeps(),
): Promise<GooglePrompt> {
  if (options.anotherAccount) return { prompt: "consent select_account" };
  if (!remembered) return { prompt: "consent" };
  const hint = { login_hint: remembered };
  return (await hasProvenRefreshToken(remembered, deps)) ? hint : { prompt: "consent", ...hint };
}

/** The automatic consent round trip after a callback without a usable refresh token: where it returns. */
export type ConsentRetry = { loginHint: string; redirectTo: string };

type CookiePurpose = "remembered-account" | "consent-retry";

const mac = (purpose: CookiePurpose, payload: string, secret: string) =>
  createHmac("sha256", secret).update(`evergreen ${purpose} cookie\0${payload}`).digest();

/** A cookie value only this server can have written: the payload (no secret in it) and its HMAC. */
export function sealCookieValue(purpose: CookiePurpose, payload: string, secret: string): string {
  return `${Buffer.from(payload).toString("base64url")}.${mac(purpose, payload, secret).toString("base64url")}`;
}

/** The payload of a value `sealCookieValue` wrote for this purpose, or undefined for anything else. */
export function openCookieValue(purpose: CookiePurpose, value: string | undefined, secret: string): string | undefined {
  const [encoded, tag, ...rest] = (value ?? "").split(".");
  if (!encoded || !tag || rest.length > 0) return undefined;
  const payload = Buffer.from(encoded, "base64url").toString();
  const expected = mac(purpose, payload, secret);
  const given = Buffer.from(tag, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected) ? payload : undefined;
}

export function sealConsentRetry(retry: ConsentRetry, secret: string): string {
  return sealCookieValue("consent-retry", JSON.stringify(retry), secret);
}

export function openConsentRetry(value: string | undefined, secret: string): ConsentRetry | undefined {
  const payload = openCookieValue("consent-retry", value, secret);
  if (payload === undefined) return undefined;
  const retry = JSON.parse(payload) as Partial<ConsentRetry>;
  return typeof retry.loginHint === "string" && typeof retry.redirectTo === "string"
    ? { loginHint: retry.loginHint, redirectTo: retry.redirectTo }
    : undefined;
}
