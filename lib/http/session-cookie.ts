import { isRecordId } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";

/**
 * Auth.js's database session as code outside Auth.js reads it: the request boundary (proxy.ts, which
 * must not load Auth.js) and auth.ts's check that a missing session is not a failing database.
 */

// Auth.js picks one by the request's scheme.
const SESSION_TOKEN_COOKIES = ["__Secure-authjs.session-token", "authjs.session-token"];

type CookieJar = { get(name: string): { value: string } | undefined };

/** The session cookie's value, from a request's cookies or next/headers' cookies(). */
export function sessionTokenOf(cookies: CookieJar): string | undefined {
  for (const name of SESSION_TOKEN_COOKIES) {
    const value = cookies.get(name)?.value;
    if (value) return value;
  }
  return undefined;
}

/** The user a session cookie belongs to while its session lives; undefined for none, a stale or a made-up one. */
export async function liveSessionUserId(
  sessionToken: string | undefined,
  deps: Pick<AppDeps, "db" | "now"> = appDeps(),
): Promise<string | undefined> {
  if (!sessionToken || !isRecordId(sessionToken)) return undefined;
  const session = await deps.db.session.findUnique({
    where: { sessionToken },
    select: { userId: true, expires: true },
  });
  return session && session.expires > deps.now() ? session.userId : undefined;
}
