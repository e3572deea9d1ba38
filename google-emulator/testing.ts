import { CodeChallengeMethod, type OAuth2Client } from "google-auth-library";
import { createOAuthClient, REQUESTED_SCOPES } from "@/lib/google/oauth";
import { DEV_CLIENT, DEV_USER } from "./seed";

export const REDIRECT_URI = DEV_CLIENT.redirectUris[0] ?? "";
export const EVERGREEN_SCOPES: string[] = [...REQUESTED_SCOPES];

/** google-auth-library's client at this emulator, through the app's own endpoint map, with a redirect URI. */
export function oauthClient(
  url: string,
  client: { id: string; secret: string; redirectUri?: string } = { id: DEV_CLIENT.id, secret: DEV_CLIENT.secret },
): OAuth2Client {
  return createOAuthClient(
    { clientId: client.id, clientSecret: client.secret, baseUrl: url },
    client.redirectUri ?? REDIRECT_URI,
  );
}

export interface ScreenChoices {
  /** Email of the account button to click on the chooser (default: Ada). */
  account?: string;
  /** Scopes (URL) or checkbox label texts to untick on the consent screen. */
  untick?: string[];
  decision?: "allow" | "cancel";
}

export type AuthorizationOutcome =
  | { kind: "redirect"; url: URL; params: URLSearchParams; screens: string[] }
  | { kind: "page"; status: number; html: string; screens: string[] };

const decode = (value: string) =>
  value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, "&");

/**
 * A person at a browser: follows the emulator's screens and submits exactly what each HTML form would
 * (the clicked button's name/value plus the form's checked inputs), keeping cookies between steps.
 */
export class TestBrowser {
  private cookies = new Map<string, string>();

  constructor(private readonly emulatorUrl: string) {}

  async authorize(authUrl: string, choices: ScreenChoices = {}): Promise<AuthorizationOutcome> {
    const screens: string[] = [];
    let response = await this.request(authUrl);
    for (let step = 0; step < 5; step++) {
      const location = response.headers.get("location");
      if (response.status === 302 && location) {
        const url = new URL(location, this.emulatorUrl);
        if (url.origin !== new URL(this.emulatorUrl).origin)
          return { kind: "redirect", url, params: url.searchParams, screens };
        response = await this.request(url.toString());
        continue;
      }
      const html = await response.text();
      const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
      if (response.status !== 200 || !form?.[1] || !form[2])
        return { kind: "page", status: response.status, html, screens };
      const [, action, inner] = form;
      const fields = new URLSearchParams();
      for (const input of inner.matchAll(/<input ([^>]*)>/g)) {
        const attrs = input[1] ?? "";
        const name = /name="([^"]*)"/.exec(attrs)?.[1];
        const value = decode(/value="([^"]*)"/.exec(attrs)?.[1] ?? "");
        const id = /id="([^"]*)"/.exec(attrs)?.[1];
        if (!name) continue;
        if (/type="checkbox"/.test(attrs)) {
          const label = id ? decode(new RegExp(`<label for="${id}">([^<]*)</label>`).exec(inner)?.[1] ?? "") : "";
          const unticked = choices.untick?.some((u) => u === value || u === label);
          if (/\bchecked\b/.test(attrs) && !unticked) fields.append(name, value);
        } else {
          fields.append(name, value);
        }
      }
      if (action.endsWith("/account")) {
        screens.push("chooser");
        const account = choices.account ?? DEV_USER.email;
        if (!inner.includes(`name="account" value="${account}"`)) throw new Error(`No account button for ${account}`);
        fields.append("account", account);
      } else {
        screens.push("consent");
        const decision = choices.decision ?? "allow";
        if (!new RegExp(`value="${decision}">${decision === "allow" ? "Allow" : "Cancel"}</button>`).test(inner))
          throw new Error(`No ${decision} button`);
        fields.append("action", decision);
      }
      response = await this.request(new URL(action, this.emulatorUrl).toString(), fields);
    }
    throw new Error("Too many authorization steps");
  }

  private async request(url: string, form?: URLSearchParams): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(url, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(form ? { body: form.toString() } : {}),
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }
}

export interface ConnectOptions extends ScreenChoices {
  scopes?: string[];
  accessType?: "online" | "offline";
  prompt?: string;
  browser?: TestBrowser;
  client?: OAuth2Client;
  extra?: Record<string, string>;
}

/** The app's "Connect Gmail" round trip: auth URL with PKCE → screens → getToken. */
export async function connect(url: string, options: ConnectOptions = {}) {
  const client = options.client ?? oauthClient(url);
  const browser = options.browser ?? new TestBrowser(url);
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const authUrl = client.generateAuthUrl({
    scope: options.scopes ?? EVERGREEN_SCOPES,
    access_type: options.accessType ?? "offline",
    ...(options.prompt ? { prompt: options.prompt } : {}),
    state: "state-123",
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    ...options.extra,
  });
  const outcome = await browser.authorize(authUrl, options);
  if (outcome.kind !== "redirect") throw new Error(`Expected a redirect, got page ${outcome.status}`);
  const code = outcome.params.get("code");
  if (!code) throw new Error(`Authorization failed: ${outcome.url.toString()}`);
  const { tokens } = await client.getToken({ code, codeVerifier });
  return { tokens, client, browser, outcome };
}

/** A failed Google API call as googleapis rejects it, with Google's error envelope. */
export interface ApiError {
  status: number;
  message: string;
  response: {
    data: {
      error: {
        code: number;
        message: string;
        errors: { reason: string; domain: string; message: string }[];
        status: string;
        details?: { reason: string }[];
      };
    };
    headers: Headers | Record<string, string>;
  };
}

export function errorHeader(error: ApiError, name: string): string | null | undefined {
  const headers = error.response.headers as { get?: (n: string) => string | null } & Record<string, string>;
  return typeof headers.get === "function" ? headers.get(name) : headers[name];
}

export async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  return (await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  )) as ApiError;
}
