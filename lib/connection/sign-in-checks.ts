/**
 * Auth.js's cookies for a sign-in in progress: the state and PKCE verifier it sets as it sends the
 * browser to Google (`__Secure-` on https, 15 minutes) and checks when Google sends it back. They are
 * SameSite=Lax, so a page on another site that loads our callback address (an <img>, a fetch) sends
 * none: such a "return from Google" is no sign-in, and must neither count against the visitor's
 * sign-in limit nor reach Auth.js, which would log it as an error.
 */
const SIGN_IN_CHECK_COOKIES = ["authjs.state", "authjs.pkce.code_verifier"];

export function carriesSignInChecks(cookieNames: Iterable<string>): boolean {
  for (const name of cookieNames) {
    const unprefixed = name.startsWith("__Secure-") ? name.slice("__Secure-".length) : name;
    if (SIGN_IN_CHECK_COOKIES.includes(unprefixed)) return true;
  }
  return false;
}

/** The ?error= code the sign-in page explains as "start again" (lib/connection/sign-in-errors.ts). */
export const SIGN_IN_NOT_STARTED_HERE = "SignInNotStarted";
