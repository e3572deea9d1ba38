import { continueToGoogleConsent } from "@/lib/connection/auth";

// The signIn callback sends a sign-in here when Google came back without a usable refresh token: a GET,
// so the browser follows it straight on to Google's consent screen, with or without JavaScript.
export async function GET(): Promise<never> {
  return continueToGoogleConsent();
}
