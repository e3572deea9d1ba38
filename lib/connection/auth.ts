import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth, { type NextAuthConfig } from "next-auth";
import Google from "next-auth/providers/google";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { CALLBACK_URL_COOKIES, REQUEST_PATH_HEADER } from "../http/auth-callback-url";
import { demoDataOnFirstSignIn, seedDemoData } from "../crm/demo-data";
import { appDeps } from "../platform/deps";
import { getEnv } from "../platform/env";
import { googleEndpoints, REQUESTED_SCOPES } from "../google/oauth";
import { safeCallbackPath, safeRedirect } from "../http/safe-redirect";
import { liveSessionUserId, sessionTokenOf } from "../http/session-cookie";
import {
  hasProvenRefreshToken,
  openConsentRetry,
  openCookieValue,
  sealConsentRetry,
  sealCookieValue,
  signInPrompt,
} from "./sign-in-prompt";
import { admitGoogleAccount, applyGoogleSignIn, linkGoogleAccount, type GoogleTokens } from "./sign-in";
import { replyDetectionAuthorization } from "../outreach/reply-detection";

// A signed cookie naming the Google account (its sub) this browser last signed in with, and one for a
// sign-in's single automatic consent round trip. Both hold no secret, and a forged one does not open.
const REMEMBERED_ACCOUNT_COOKIE = "evergreen.google-account";
const REMEMBERED_MAX_AGE = 400 * 24 * 60 * 60;
const CONSENT_RETRY_COOKIE = "evergreen.consent-retry";
const RETRY_MAX_AGE = 10 * 60;
const CONSENT_RETRY_PATH = "/sign-in/consent";

async function cookieOptions(maxAge: number) {
  const { authUrl } = getEnv();
  const https = authUrl
    ? new URL(authUrl).protocol === "https:"
    : (await headers()).get("x-forwarded-proto") === "https";
  return { httpOnly: true, sameSite: "lax" as const, secure: https, path: "/", maxAge };
}

// Where the sign-in in progress returns to, from the cookie Auth.js keeps it in (already passed through safeRedirect).
function callbackPathOf(jar: Awaited<ReturnType<typeof cookies>>): string {
  const value = CALLBACK_URL_COOKIES.map((name) => jar.get(name)?.value).find(Boolean);
  const url = value ? URL.parse(value, "https://evergreen.invalid") : null;
  return safeCallbackPath(url ? `${url.pathname}${url.search}${url.hash}` : undefined);
}

/**
 * Sign-in with Google, built so that every sign-in ends with a working refresh token: offline access,
 * PKCE, state and nonce, and Google's consent screen (the only time Google issues a refresh token)
 * unless the stored one is proven to work (lib/connection/sign-in-prompt.ts). A callback that still comes back
 * without one goes once, at once, through consent. Evergreen stores Google's tokens itself, encrypted,
 * on every sign-in (lib/connection/sign-in.ts).
 */
function authConfig(): NextAuthConfig {
  const env = getEnv();
  const adapter = PrismaAdapter(appDeps().db);
  return {
    // Auth.js would store plaintext tokens on first link; ours seals them to the new row instead.
    adapter: {
      ...adapter,
      linkAccount: async (account) => {
        await linkGoogleAccount(account as Parameters<typeof linkGoogleAccount>[0]);
        // Trying Evergreen against the local Google: the first sign-in opens a CRM with some life in it.
        if (demoDataOnFirstSignIn(env)) {
          await seedDemoData(account.userId).catch((error: unknown) =>
            console.error("[evergreen] demo data not added:", error),
          );
        }
      },
    },
    session: { strategy: "database" },
    secret: env.authSecret,
    trustHost: true,
    // Every page Auth.js could render is one of ours: its built-in pages use inline styles, which the
    // Content-Security-Policy refuses. No email provider is configured, so "check your email" is sign-in.
    pages: { signIn: "/sign-in", signOut: "/sign-out", error: "/sign-in", verifyRequest: "/sign-in" },
    providers: [
      Google({
        clientId: env.google.clientId,
        clientSecret: env.google.clientSecret,
        ...(env.google.baseUrl ? { issuer: googleEndpoints(env.google.baseUrl).issuer } : {}),
        checks: ["pkce", "state", "nonce"],
        authorization: {
          params: {
            scope: REQUESTED_SCOPES.join(" "),
            access_type: "offline",
            // No prompt here: Auth.js can override a provider's parameter per call but not remove it.
            response_type: "code",
          },
        },
      }),
    ],
    callbacks: {
      // Runs before Auth.js looks the account up; errors here fail the sign-in visibly, unlike events.
      async signIn({ account, profile }) {
        if (account?.provider !== "google") return true;
        // Auth.js links a new OAuth account to whoever is signed in; Evergreen allows one Google account per user.
        const signedInUserId = (await auth())?.user?.id;
        const grant = {
          providerAccountId: account.providerAccountId,
          email: profile?.email,
          token: account.refresh_token ?? account.access_token,
        };
        if (!(await admitGoogleAccount(signedInUserId, grant))) return "/settings?notice=other-account";
        // No refresh token came back and none is proven: consent now, not a broken connection; once per sign-in.
        const jar = await cookies();
        const retried = openConsentRetry(jar.get(CONSENT_RETRY_COOKIE)?.value, env.authSecret);
        if (!account.refresh_token && !retried && !(await hasProvenRefreshToken(account.providerAccountId))) {
          const retry = { loginHint: account.providerAccountId, redirectTo: callbackPathOf(jar) };
          jar.set(CONSENT_RETRY_COOKIE, sealConsentRetry(retry, env.authSecret), await cookieOptions(RETRY_MAX_AGE));
          return CONSENT_RETRY_PATH;
        }
        if (retried) jar.delete(CONSENT_RETRY_COOKIE);
        await applyGoogleSignIn(account as GoogleTokens);
        jar.set(
          REMEMBERED_ACCOUNT_COOKIE,
          sealCookieValue("remembered-account", account.providerAccountId, env.authSecret),
          await cookieOptions(REMEMBERED_MAX_AGE),
        );
        return true;
      },
      // The browser's session carries who you are, never a Google token.
      session({ session, user }) {
        return {
          expires: session.expires,
          user: { id: user.id, name: user.name, email: user.email, image: user.image },
        } as typeof session;
      },
      redirect({ url, baseUrl }) {
        return safeRedirect(url, baseUrl);
      },
    },
  };
}

const nextAuth = NextAuth(() => authConfig());
export const { handlers, auth, signOut } = nextAuth;

/**
 * Auth.js's signIn, except that a Google authorization shows Google's consent screen unless the
 * caller passes its own `prompt`, so Reconnect and any new caller always come back with a refresh token.
 */
export const signIn = (async (provider, options, authorizationParams) => {
  if (provider !== "google") return nextAuth.signIn(provider, options, authorizationParams);
  const params = new URLSearchParams(authorizationParams);
  if (!params.has("prompt")) params.set("prompt", "consent");
  (await cookies()).delete(CONSENT_RETRY_COOKIE);
  return nextAuth.signIn(provider, options, params);
}) as typeof nextAuth.signIn;

/** The Google account this browser last signed in with, when its cookie is one Evergreen wrote. */
async function rememberedGoogleAccount(): Promise<string | undefined> {
  const value = (await cookies()).get(REMEMBERED_ACCOUNT_COOKIE)?.value;
  return openCookieValue("remembered-account", value, getEnv().authSecret);
}

export async function hasRememberedGoogleAccount(): Promise<boolean> {
  return (await rememberedGoogleAccount()) !== undefined;
}

/**
 * The sign-in page's Google sign-in: without the consent screen when this browser's last Google
 * account still holds a proven refresh token (lib/connection/sign-in-prompt.ts), with it otherwise.
 */
export async function signInWithGoogle(redirectTo: string, options: { anotherAccount?: boolean } = {}) {
  const remembered = await rememberedGoogleAccount();
  const prompt = await signInPrompt(remembered, options);
  // A user who turned on reply detection keeps gmail.metadata in every new grant.
  const scopes =
    remembered && !options.anotherAccount ? await replyDetectionAuthorization({ providerAccountId: remembered }) : {};
  (await cookies()).delete(CONSENT_RETRY_COOKIE);
  await nextAuth.signIn("google", { redirectTo }, { ...prompt, ...scopes });
}

/** The one automatic consent round trip the signIn callback asked for; without its cookie, back to sign-in. */
export async function continueToGoogleConsent(): Promise<never> {
  const retry = openConsentRetry((await cookies()).get(CONSENT_RETRY_COOKIE)?.value, getEnv().authSecret);
  if (!retry) redirect("/sign-in");
  return nextAuth.signIn(
    "google",
    { redirectTo: safeCallbackPath(retry.redirectTo) },
    {
      ...(await replyDetectionAuthorization({ providerAccountId: retry.loginHint })),
      prompt: "consent",
      login_hint: retry.loginHint,
    },
  );
}

export type CurrentUser = { id: string; name: string | null; email: string | null; image: string | null };

export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await auth();
  const user = session?.user;
  if (!user?.id) {
    await confirmSignedOut();
    return null;
  }
  return { id: user.id, name: user.name ?? null, email: user.email ?? null, image: user.image ?? null };
});

/**
 * Auth.js answers "no session" when its session lookup fails (it logs the error and carries on), which
 * would send a signed-in user off to sign in again while the database is down. So a session cookie
 * that came back without a session is looked up once more, letting a failing database throw (an error
 * page that says nothing was lost) instead of looking like a sign-out. A stale cookie finds nothing.
 */
async function confirmSignedOut(): Promise<void> {
  await liveSessionUserId(sessionTokenOf(await cookies()));
}

/** For every protected page and action: the signed-in user, or off to sign in and back to this page. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(await signInAndBack());
  return user;
}

async function signInAndBack(): Promise<string> {
  const back = await requestedPage();
  return back === safeCallbackPath(undefined) ? "/sign-in" : `/sign-in?callbackUrl=${encodeURIComponent(back)}`;
}

/** The page this request is for (proxy.ts records it), as a safe path; the dashboard when unknown. */
export async function requestedPage(): Promise<string> {
  return safeCallbackPath((await headers()).get(REQUEST_PATH_HEADER) ?? undefined);
}
