import { SIGN_IN_NOT_STARTED_HERE } from "./sign-in-checks";

/** What the sign-in page says for each client-safe error type Auth.js sends it as ?error=…. */
const SIGN_IN_ERRORS = new Map<string, string>([
  [
    "OAuthCallbackError",
    "Google did not finish signing you in (perhaps Cancel was clicked). Nothing was changed; try again when you are ready.",
  ],
  ["AccessDenied", "Sign-in was refused. Try again, or ask your administrator whether your account may use Evergreen."],
  [
    "OAuthAccountNotLinked",
    "That email address already belongs to an Evergreen user who signs in with a different Google account.",
  ],
  ["MissingCSRF", "The sign-in form expired. Please try again."],
  [
    SIGN_IN_NOT_STARTED_HERE,
    "That return from Google did not belong to a sign-in started in this browser, or it took longer than 15 minutes. Nothing was changed; sign in again.",
  ],
]);

// Auth.js reports every other failure as Configuration; an unknown code (or a crafted one) reads the same.
const OTHER_ERROR =
  "Evergreen could not complete the sign-in with Google. The problem was logged; try again, and tell your administrator if it keeps happening.";

export function describeSignInError(code: string | string[] | undefined): string | undefined {
  if (code === undefined || code === "") return undefined;
  return (typeof code === "string" && SIGN_IN_ERRORS.get(code)) || OTHER_ERROR;
}
