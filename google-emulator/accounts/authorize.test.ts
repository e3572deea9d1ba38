import { gmail } from "@googleapis/gmail";
import { describe, expect, it } from "vitest";
import { GMAIL_SEND, USERINFO_EMAIL } from "../oauth2/scopes";
import { DEV_CLIENT, SECOND_USER } from "../seed";
import { connect, EVERGREEN_SCOPES, oauthClient, REDIRECT_URI, TestBrowser } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();

function authUrl(params: Record<string, string>): string {
  const query = new URLSearchParams({
    client_id: DEV_CLIENT.id,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: EVERGREEN_SCOPES.join(" "),
    state: "xyz",
    ...params,
  });
  for (const [key, value] of Object.entries(params)) if (value === "") query.delete(key);
  return `${env.url}/o/oauth2/v2/auth?${query}`;
}

async function expectErrorPage(url: string, status: number, ...texts: string[]) {
  const outcome = await new TestBrowser(env.url).authorize(url);
  expect(outcome.kind).toBe("page");
  if (outcome.kind !== "page") return;
  expect(outcome.status).toBe(status);
  for (const text of texts) expect(outcome.html).toContain(text);
}

describe("authorization endpoint: error page, never a redirect", () => {
  it("unknown client_id", () =>
    expectErrorPage(
      authUrl({ client_id: "nobody.apps.googleusercontent.com" }),
      401,
      "Error 401: invalid_client",
      "The OAuth client was not found.",
    ));
  it("missing client_id", () =>
    expectErrorPage(authUrl({ client_id: "" }), 400, "Missing required parameter: client_id"));
  it("redirect_uri not registered (trailing slash counts)", () =>
    expectErrorPage(authUrl({ redirect_uri: `${REDIRECT_URI}/` }), 400, "Error 400: redirect_uri_mismatch"));
  it("OOB redirect", () =>
    expectErrorPage(
      authUrl({ redirect_uri: "urn:ietf:wg:oauth:2.0:oob" }),
      400,
      "out-of-band (OOB) flow has been blocked",
    ));
  it("missing response_type", () =>
    expectErrorPage(authUrl({ response_type: "" }), 400, "Required parameter is missing: response_type"));
  it("missing scope", () => expectErrorPage(authUrl({ scope: "" }), 400, "Missing required parameter: scope"));
  it("unknown scope", () => expectErrorPage(authUrl({ scope: "openid bogus" }), 400, "invalid_scope"));
  it("approval_prompt together with prompt", () =>
    expectErrorPage(
      authUrl({ approval_prompt: "force", prompt: "consent" }),
      400,
      "Error 400: invalid_request",
      "Conflict params: approval_prompt and prompt",
    ));
  it("approval_prompt with an invalid value", () =>
    expectErrorPage(
      authUrl({ approval_prompt: "true" }),
      400,
      "Invalid parameter value for approval_prompt: &#39;true&#39; is not valid",
    ));
  it("prompt=none combined with another value", () =>
    expectErrorPage(authUrl({ prompt: "none consent" }), 400, "Invalid parameter value for prompt"));
});

describe("authorization endpoint: screens and decisions", () => {
  it("approval_prompt alone (force or auto) is accepted", async () => {
    for (const value of ["force", "auto"]) {
      const outcome = await new TestBrowser(env.url).authorize(authUrl({ approval_prompt: value }));
      expect(outcome.kind).toBe("redirect");
      if (outcome.kind === "redirect") expect(outcome.params.get("code")).toMatch(/^4\/0A/);
    }
  });

  it("approval_prompt=force forces consent only with approvalPromptForceShowsConsent", async () => {
    const browser = new TestBrowser(env.url);
    await connect(env.url, { browser });
    const ignored = await browser.authorize(authUrl({ approval_prompt: "force", access_type: "offline" }));
    expect(ignored.screens).toEqual(["chooser"]);
    await env.control.configure({ approvalPromptForceShowsConsent: true });
    const legacy = await browser.authorize(authUrl({ approval_prompt: "force", access_type: "offline" }));
    expect(legacy.screens).toEqual(["chooser", "consent"]);
  });

  it("account chooser lists each seeded user as a button named by name and email", async () => {
    const page = await (await fetch(authUrl({}))).text();
    expect(page).toMatch(
      /<button[^>]*name="account"[^>]*>[\s\S]*?Ada Lovelace[\s\S]*?ada@evergreen\.test[\s\S]*?<\/button>/,
    );
    expect(page).toMatch(/<button[^>]*>[\s\S]*?Grace Hopper[\s\S]*?grace@evergreen\.test[\s\S]*?<\/button>/);
    expect(page).toContain("Choose an account");
  });

  it("consent screen names the client, lists sign-in scopes as text and gmail.send as a checked, labelled checkbox", async () => {
    const chooser = await (
      await fetch(authUrl({ scope: `openid email ${GMAIL_SEND} https://www.googleapis.com/auth/gmail.readonly` }))
    ).text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(chooser)?.[1] ?? "";
    const consent = await (
      await fetch(`${env.url}/o/oauth2/v2/auth/account`, {
        method: "POST",
        body: new URLSearchParams({ interaction, account: "ada@evergreen.test" }),
      })
    ).text();
    expect(consent).toContain("Evergreen wants access to your Google Account");
    expect(consent).toContain("See your primary Google Account email address");
    expect(consent).toMatch(
      /<input type="checkbox" id="(scope-\d)" name="scope" value="https:\/\/www\.googleapis\.com\/auth\/gmail\.send" checked><label for="\1">Send email on your behalf<\/label>/,
    );
    expect(consent).toMatch(/<label for="scope-\d">View your email messages and settings<\/label>/);
    expect(consent).not.toMatch(/type="checkbox"[^>]*value="openid"/);
    expect(consent).toMatch(/<button[^>]*>Allow<\/button>/);
    expect(consent).toMatch(/<button[^>]*>Cancel<\/button>/);
  });

  it("Cancel redirects with access_denied and the state", async () => {
    const outcome = await new TestBrowser(env.url).authorize(authUrl({}), { decision: "cancel" });
    expect(outcome.kind).toBe("redirect");
    if (outcome.kind !== "redirect") return;
    expect(outcome.url.origin + outcome.url.pathname).toBe(REDIRECT_URI);
    expect(Object.fromEntries(outcome.params)).toEqual({ error: "access_denied", state: "xyz", iss: env.url });
  });

  it("granular consent: unticking gmail.send still signs in, but the token cannot send mail", async () => {
    const { tokens, client, outcome } = await connect(env.url, { untick: ["Send email on your behalf"] });
    expect(outcome.params.get("scope")).not.toContain(GMAIL_SEND);
    expect(tokens.scope?.split(" ").sort()).toEqual([
      "https://www.googleapis.com/auth/userinfo.email",
      "https://www.googleapis.com/auth/userinfo.profile",
      "openid",
    ]);
    client.setCredentials(tokens);
    const api = gmail({ version: "v1", auth: client, rootUrl: `${env.url}/` });
    const error = await api.users.messages
      .send({
        userId: "me",
        requestBody: { raw: Buffer.from("To: bob@example.com\r\nSubject: hi\r\n\r\nhello").toString("base64url") },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, message: "Request had insufficient authentication scopes." });
    // Next time the declined scope is asked for again, consent shows again.
    const again = await connect(env.url, { browser: new TestBrowser(env.url) });
    expect(again.outcome.screens).toContain("consent");
    expect(again.tokens.scope).toContain(GMAIL_SEND);
  });

  it("unticking the only non-sign-in scope when nothing else was asked is a denial", async () => {
    const outcome = await new TestBrowser(env.url).authorize(authUrl({ scope: GMAIL_SEND }), { untick: [GMAIL_SEND] });
    expect(outcome.kind === "redirect" && outcome.params.get("error")).toBe("access_denied");
  });

  it("with granularConsentMinScopes=2 a single gmail.send is all-or-nothing (no checkbox)", async () => {
    await env.control.configure({ granularConsentMinScopes: 2 });
    const { tokens, outcome } = await connect(env.url, { untick: [GMAIL_SEND] });
    expect(outcome.screens).toContain("consent");
    expect(tokens.scope).toContain(GMAIL_SEND);
  });

  it("login_hint picks the account and skips the chooser; select_account brings it back", async () => {
    const hinted = await connect(env.url, { extra: { login_hint: SECOND_USER.email } });
    expect(hinted.outcome.screens).toEqual(["consent"]);
    const ticket = await hinted.client.verifyIdToken({
      idToken: hinted.tokens.id_token ?? "",
      audience: DEV_CLIENT.id,
    });
    expect(ticket.getPayload()?.email).toBe(SECOND_USER.email);
    const forced = await connect(env.url, {
      account: SECOND_USER.email,
      prompt: "select_account",
      extra: { login_hint: SECOND_USER.email },
    });
    expect(forced.outcome.screens[0]).toBe("chooser");
  });

  it("grants are per user × client: Grace consenting does not make Ada's next visit silent", async () => {
    await connect(env.url, { account: SECOND_USER.email });
    const ada = await connect(env.url);
    expect(ada.outcome.screens).toContain("consent");
    expect(ada.tokens.refresh_token).toBeTruthy();
  });

  it("clients of one project share grants", async () => {
    const other = {
      id: "evergreen-worker.apps.googleusercontent.com",
      secret: "worker-secret",
      redirectUri: "http://localhost:4000/cb",
    };
    await env.control.addClient({ ...DEV_CLIENT, projectId: "evergreen" });
    await env.control.addClient({
      id: other.id,
      secret: other.secret,
      redirectUris: [other.redirectUri],
      projectId: "evergreen",
    });
    const first = await connect(env.url);
    const second = await connect(env.url, { browser: first.browser, client: oauthClient(env.url, other) });
    expect(second.outcome.screens).toEqual(["chooser"]);
    expect(second.tokens.refresh_token).toBeUndefined();
  });

  it("prompt=none: interaction_required without a session, consent needed, or a hint for another account", async () => {
    const browser = new TestBrowser(env.url);
    const noSession = await browser.authorize(authUrl({ prompt: "none" }));
    expect(noSession.kind === "redirect" && Object.fromEntries(noSession.params)).toMatchObject({
      error: "interaction_required",
      error_subtype: "access_denied",
      state: "xyz",
    });

    await connect(env.url, { browser, scopes: ["openid", "email"] });
    const needsConsent = await browser.authorize(authUrl({ prompt: "none" }));
    expect(needsConsent.kind === "redirect" && needsConsent.params.get("error")).toBe("interaction_required");

    const silent = await browser.authorize(authUrl({ prompt: "none", scope: "openid email" }));
    expect(silent.kind === "redirect" && silent.params.get("code")).toMatch(/^4\/0A/);
    expect(silent.kind === "redirect" && silent.params.get("prompt")).toBe("none");
    expect(silent.screens).toEqual([]);

    const otherHint = await browser.authorize(
      authUrl({ prompt: "none", scope: "openid email", login_hint: SECOND_USER.email }),
    );
    expect(otherHint.kind === "redirect" && otherHint.params.get("error")).toBe("interaction_required");
  });

  it("prompt=none with promptNoneError=oidc uses login_required / consent_required", async () => {
    await env.control.configure({ promptNoneError: "oidc" });
    const browser = new TestBrowser(env.url);
    const login = await browser.authorize(authUrl({ prompt: "none" }));
    expect(login.kind === "redirect" && login.params.get("error")).toBe("login_required");
    await connect(env.url, { browser, scopes: ["openid", "email"] });
    const consent = await browser.authorize(authUrl({ prompt: "none" }));
    expect(consent.kind === "redirect" && consent.params.get("error")).toBe("consent_required");
  });

  it("issParameter=false leaves iss off the redirect and out of discovery", async () => {
    await env.control.configure({ issParameter: false });
    const { outcome } = await connect(env.url);
    expect(outcome.params.has("iss")).toBe(false);
    const discovery = (await (await fetch(`${env.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).not.toHaveProperty("authorization_response_iss_parameter_supported");
  });

  it("screen state lives server-side: a forged or reused interaction id is refused", async () => {
    const chooser = await (await fetch(authUrl({}))).text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(chooser)?.[1] ?? "";
    const forged = await fetch(`${env.url}/o/oauth2/v2/auth/consent`, {
      method: "POST",
      body: new URLSearchParams({ interaction: "forged", action: "allow" }),
      redirect: "manual",
    });
    expect(forged.status).toBe(400);
    // Skipping the chooser step is refused too.
    const skipped = await fetch(`${env.url}/o/oauth2/v2/auth/consent`, {
      method: "POST",
      body: new URLSearchParams({ interaction, action: "allow" }),
      redirect: "manual",
    });
    expect(skipped.status).toBe(400);
  });

  it("the legacy /o/oauth2/auth path works too and shorthand scopes are echoed with their URL forms", async () => {
    const outcome = await new TestBrowser(env.url).authorize(
      authUrl({ scope: "openid email" }).replace("/o/oauth2/v2/auth", "/o/oauth2/auth"),
    );
    expect(outcome.kind === "redirect" && outcome.params.get("scope")).toBe(`email ${USERINFO_EMAIL} openid`);
  });
});
