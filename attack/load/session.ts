import { Agent } from "undici";
import { TestBrowser } from "@/google-emulator/testing";

/**
 * How a session's requests travel. By default straight to the app's URL. `server`: to one app server
 * behind the proxy at the app's URL, with the headers that proxy would add (the topology pins a user to
 * a server this way). `localAddress`: from a loopback address of its own, so a proxy in front sees each
 * user as a client of its own (sign-ins are limited per client address).
 */
export type SessionRoute = { server?: string; localAddress?: string };

/**
 * One signed-in user of the app as a browser holds it: cookies kept between requests, the app's
 * Origin on every request (proxy.ts refuses a non-GET without it), and an X-Forwarded-For address of
 * its own, because sign-ins and sends are rate-limited per address and per user.
 */
export class AppSession {
  private readonly dispatcher: Agent | undefined;

  constructor(
    readonly appUrl: string,
    readonly forwardedFor: string,
    private readonly route: SessionRoute = {},
    private readonly cookies = new Map<string, string>(),
  ) {
    // Idle connections dropped after 1 s, as test-support/http-keep-alive.ts explains; IPv4 to match the address.
    this.dispatcher = route.localAddress
      ? new Agent({
          localAddress: route.localAddress,
          // Passed on to net.connect, which undici's types leave out.
          connect: { family: 4 } as Agent.Options["connect"],
          keepAliveTimeout: 1_000,
          keepAliveMaxTimeout: 1_000,
        })
      : undefined;
  }

  /** The same browser (cookies shared) with its requests sent straight to `server`, as the proxy would forward them. */
  via(server: string): AppSession {
    return new AppSession(this.appUrl, this.forwardedFor, { ...this.route, server }, this.cookies);
  }

  /** Where requests go: the pinned server, or the app's URL. */
  get baseUrl(): string {
    return this.route.server ?? this.appUrl;
  }

  /** What a request needs beside its cookie: the client's address and, when pinned, the proxy's forwarded headers. */
  forwardingHeaders(): Record<string, string> {
    const app = new URL(this.appUrl);
    return {
      "x-forwarded-for": this.forwardedFor,
      ...(this.route.server ? { "x-forwarded-host": app.host, "x-forwarded-proto": app.protocol.slice(0, -1) } : {}),
    };
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  hasSession(): boolean {
    return this.cookies.has("authjs.session-token");
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(new URL(path, this.baseUrl), {
      redirect: "manual",
      ...init,
      headers: {
        cookie: this.cookieHeader(),
        origin: new URL(this.appUrl).origin,
        ...this.forwardingHeaders(),
        ...init.headers,
      },
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
    } as RequestInit);
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
    throw new Error(
      `the local Google answered ${email} (redirect_uri ${new URL(authorizeUrl).searchParams.get("redirect_uri")}) with a page (${outcome.status}): ${outcome.html
        .replace(/<[^>]*>/g, " ")
        .replace(/\s+/g, " ")
        .slice(0, 300)}`,
    );
  const callback = await session.fetch(outcome.url.pathname + outcome.url.search);
  await callback.arrayBuffer();
  if (!session.hasSession())
    throw new Error(
      `no session for ${email} after the callback: ${callback.status} ${callback.headers.get("location")}`,
    );
}
