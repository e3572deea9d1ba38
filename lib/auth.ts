import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth, { type NextAuthConfig } from "next-auth";
import Google from "next-auth/providers/google";
import { redirect } from "next/navigation";
import { cache } from "react";
import { appDeps } from "./deps";
import { getEnv } from "./env";
import { googleEndpoints, REQUESTED_SCOPES } from "./google/oauth";
import { safeRedirect } from "./safe-redirect";
import { admitGoogleAccount, applyGoogleSignIn, linkGoogleAccount, type GoogleTokens } from "./tokens";

/**
 * Sign-in with Google, built so that every sign-in yields a refresh token: offline access with
 * prompt=consent (Google issues a refresh token only when its consent screen was shown), PKCE, state
 * and nonce. Evergreen stores Google's tokens itself, encrypted, on every sign-in (lib/tokens.ts).
 */
function authConfig(): NextAuthConfig {
  const env = getEnv();
  const adapter = PrismaAdapter(appDeps().db);
  return {
    // Auth.js would store plaintext tokens on first link; ours seals them to the new row instead.
    adapter: {
      ...adapter,
      linkAccount: (account) => linkGoogleAccount(account as Parameters<typeof linkGoogleAccount>[0]),
    },
    session: { strategy: "database" },
    secret: env.authSecret,
    trustHost: true,
    pages: { signIn: "/sign-in", error: "/sign-in" },
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
            prompt: "consent",
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
        await applyGoogleSignIn(account as GoogleTokens);
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

export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());

export type CurrentUser = { id: string; name: string | null; email: string | null; image: string | null };

export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await auth();
  const user = session?.user;
  if (!user?.id) return null;
  return { id: user.id, name: user.name ?? null, email: user.email ?? null, image: user.image ?? null };
});

/** For every protected page and action: the signed-in user, or off to the sign-in page. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  return user;
}
