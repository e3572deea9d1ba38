import { TestBrowser } from "@/google-emulator/testing";

/**
 * One signed-in user of the app as a browser holds it: cookies kept between requests, the app's
 * Origin on every request (proxy.ts refuses a non-GET without it), and an X-Forwarded-For address of
 * its own, because sign-ins and sends are rate-limited per address and per user.
 */
export class AppSession {
  private readonly cookies = new Map<string, string>();

  constructor(
    readonly appUrl: string,
    readonly forwardedFor: string,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  hasSession(): boolean {
    return this.cookies.has("authjs.session-token");
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(new URL(path, this.appUrl), {
      redirect: "manual",
      ...init,
      headers: {
        cookie: this.cookieHeader(),
        origin: this.appUrl,
        "x-forwarded-for": this.forwardedFor,
        ...init.headers,
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }
}

/** Signs a Google user in through the app's real Auth.js endpoints and the local Google's screens. */
export async function signInHeadless(session: AppSession, emulatorUrl: string, email: string): Promise<void> {
  const { csrfToken } = (await (await session.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
  const start = await session.fetch("/api/auth/signin/google", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/dashboard" }).toString(),
  });
  const authorizeUrl = start.headers.get("location");
  if (!authorizeUrl?.startsWith(emulatorUrl))
    throw new Error(`sign-in of ${email} did not go to the local Google: ${start.status} ${authorizeUrl}`);
  const outcome = await new TestBrowser(emulatorUrl).authorize(authorizeUrl, { account: email });
  if (outcome.kind !== "redirect")
    throw new Error(`the local Google answered ${email} with a page (${outcome.status})`);
  const callback = await session.fetch(outcome.url.pathname + outcome.url.search);
  await callback.arrayBuffer();
  if (!session.hasSession())
    throw new Error(
      `no session for ${email} after the callback: ${callback.status} ${callback.headers.get("location")}`,
    );
}
