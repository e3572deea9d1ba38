import { randomInt } from "node:crypto";
import { test as base, type BrowserContext } from "@playwright/test";
import { TestBrowser } from "@/google-emulator/testing";
import { E2E } from "./e2e-config";
import { googleEmulator } from "./fixtures";

export type SignedInUser = { email: string; name: string };

/** The app's cookies for one headless sign-in, as a browser would keep them. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
  keep(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }
  async giveTo(context: BrowserContext) {
    await context.addCookies(
      [...this.cookies].map(([name, value]) => ({
        name,
        value,
        url: E2E.appUrl,
        httpOnly: true,
        sameSite: "Lax" as const,
      })),
    );
  }
}

/**
 * Signs a fresh Google user in through the app's real Auth.js endpoints and the local Google's consent,
 * without a browser (a few hundred milliseconds), and hands the session cookie to the page's context.
 */
export async function signInHeadless(context: BrowserContext, email: string) {
  const jar = new CookieJar();
  // Each user signs in from an address of its own, so the per-address sign-in limit counts tests apart.
  const address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const app = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, E2E.appUrl), {
      redirect: "manual",
      ...init,
      headers: { cookie: jar.header(), origin: E2E.appUrl, "x-forwarded-for": address, ...init.headers },
    }).then((r) => jar.keep(r));

  const { csrfToken } = (await (await app("/api/auth/csrf")).json()) as { csrfToken: string };
  const start = await app("/api/auth/signin/google", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/dashboard" }).toString(),
  });
  const authorizeUrl = start.headers.get("location");
  if (!authorizeUrl?.startsWith(E2E.emulatorUrl))
    throw new Error(`sign-in did not go to the local Google: ${start.status} ${authorizeUrl}`);

  const outcome = await new TestBrowser(E2E.emulatorUrl).authorize(authorizeUrl, { account: email });
  if (outcome.kind !== "redirect") throw new Error(`the local Google answered with a page (${outcome.status})`);
  const callback = await app(outcome.url.pathname + outcome.url.search);
  if (!jar.header().includes("authjs.session-token="))
    throw new Error(`no session after the callback: ${callback.status} ${callback.headers.get("location")}`);
  await jar.giveTo(context);
}

/**
 * A user already signed in with Gmail connected, for specs whose subject is not sign-in. Specs about
 * signing in keep the real round trip through Google's screens in Chromium.
 */
export const test = base.extend<{ signedInUser: SignedInUser }>({
  signedInUser: async ({ context }, provide) => {
    const user = await googleEmulator.createUser("signed-in");
    await signInHeadless(context, user.email);
    await provide(user);
  },
});

export { expect } from "@playwright/test";
