import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ACTION_BODY_LIMIT } from "@/lib/http/server-action-body";
import { E2E } from "./e2e-config";
import { startExtraServer } from "./extra-server";
import { approveOnGoogle, googleEmulator, signInWithGoogle } from "./fixtures";

// What an attacker sends from outside, and what Evergreen must answer (issue 7, items 2, 5 and 6).
const OUR_ORIGIN = E2E.appUrl;
const HTTPS_TWIN = OUR_ORIGIN.replace(/^http:/, "https:");
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** Where a browser on our origin goes when it follows this Location header. */
function destination(location: string | undefined): URL {
  return new URL(location ?? "", OUR_ORIGIN);
}

/** The sign-in form's real server action, exactly as the browser posts it. */
async function captureSignInAction(page: Page) {
  await page.goto("/sign-in");
  const posted = page.waitForRequest(
    (request) => request.method() === "POST" && Boolean(request.headers()["next-action"]),
  );
  await page.getByRole("button", { name: "Continue with Google" }).click();
  const request = await posted;
  return {
    id: request.headers()["next-action"]!,
    contentType: request.headers()["content-type"]!,
    body: request.postDataBuffer()!,
  };
}

/** A fetch-action call of `actionId` on the sign-in page, as Next's router posts one; headers override. */
function postToAction(
  request: APIRequestContext,
  actionId: string,
  data: string | Buffer,
  headers: Record<string, string> = {},
) {
  return request.post("/sign-in", {
    headers: { Origin: OUR_ORIGIN, "Next-Action": actionId, "Content-Type": "text/plain;charset=UTF-8", ...headers },
    data,
    maxRedirects: 0,
  });
}

/** A request as a script writes it, any method included (fetch refuses to send TRACE). */
function sendRaw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const url = new URL(path, OUR_ORIGIN);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

test.describe("redirects after sign-in stay on Evergreen", () => {
  test("a signed-out visitor who opens a link to a page signs in and lands on that page", async ({ page }) => {
    const user = await googleEmulator.createUser("deep-link");
    await page.goto("/contacts?q=alice&page=2");
    await expect(page).toHaveURL(`${OUR_ORIGIN}/sign-in?callbackUrl=%2Fcontacts%3Fq%3Dalice%26page%3D2`);
    await page.getByRole("button", { name: "Continue with Google" }).click();
    await approveOnGoogle(page, user.email);
    await expect(page).toHaveURL(`${OUR_ORIGIN}/contacts?q=alice&page=2`);
    await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  });

  test("a signed-in user sent to /sign-in?callbackUrl=/<tab>/evil.example ends on Evergreen, not evil.example", async ({
    page,
  }) => {
    const user = await googleEmulator.createUser("tab-redirect");
    await signInWithGoogle(page, user.email);
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));

    // evil.example does not resolve here, so a browser sent there fails to load; where it went is asserted below.
    await page.goto("/sign-in?callbackUrl=%2F%09%2Fevil.example").catch(() => undefined);
    expect(requested.filter((url) => new URL(url).origin !== OUR_ORIGIN)).toEqual([]);
    await expect(page).toHaveURL(`${OUR_ORIGIN}/dashboard`);
  });

  test("crafted callbackUrl values never lead off Evergreen or into a response header", async ({ page }) => {
    const user = await googleEmulator.createUser("crafted-redirect");
    await signInWithGoogle(page, user.email);

    for (const callbackUrl of [
      "/\t/evil.example",
      "/\\evil.example",
      "/.//evil.example",
      "/settings\r\nSet-Cookie: injected=1",
      "/a\nb",
    ]) {
      const response = await page.request.get(`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`, {
        maxRedirects: 0,
      });
      expect(response.status(), JSON.stringify(callbackUrl)).toBe(307);
      const location = response.headers().location;
      expect(location).toMatch(PRINTABLE_ASCII);
      expect(destination(location).origin).toBe(OUR_ORIGIN);
      const injected = response
        .headersArray()
        .filter(
          ({ name, value }) => /^injected$/i.test(name) || (/^set-cookie$/i.test(name) && value.includes("injected")),
        );
      expect(injected).toEqual([]);
    }
  });

  test("a link straight to Google's sign-in start (a GET, which Auth.js refuses) opens the sign-in page and still ends where it pointed", async ({
    page,
  }) => {
    const user = await googleEmulator.createUser("bookmarked-start");
    await page.goto("/api/auth/signin/google?callbackUrl=%2Fcontacts");
    await expect(page).toHaveURL(`${OUR_ORIGIN}/sign-in?callbackUrl=%2Fcontacts`);
    // Not the "could not complete the sign-in" that Auth.js's own answer led to.
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
    await expect(page.getByText("could not complete")).toHaveCount(0);
    await page.getByRole("button", { name: "Continue with Google" }).click();
    await approveOnGoogle(page, user.email);
    await expect(page).toHaveURL(`${OUR_ORIGIN}/contacts`);

    await page.goto("/sign-out");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByText("You are signed out.")).toBeVisible();
    await page.goto("/api/auth/signin/google?callbackUrl=https%3A%2F%2Fevil.test%2F");
    await expect(page).toHaveURL(`${OUR_ORIGIN}/sign-in?callbackUrl=%2Fdashboard`);
  });
});

test.describe("crafted input is answered with a page or a 4xx, never a 5xx", () => {
  test("an ?error= code the sign-in page does not know shows the generic message", async ({ page }) => {
    for (const code of ["constructor", "__proto__", "toString"]) {
      const response = await page.goto(`/sign-in?error=${code}`);
      expect(response?.status()).toBe(200);
      await expect(
        page.getByRole("alert").filter({ hasText: "Evergreen could not complete the sign-in with Google." }),
      ).toBeVisible();
    }
  });

  test("Auth.js routes shrug off a callbackUrl they cannot parse, in the query or in the callback-url cookie", async ({
    request,
  }) => {
    const routes = [
      "/api/auth/signin/google",
      "/api/auth/csrf",
      "/api/auth/session",
      "/api/auth/providers",
      "/api/auth/callback/google",
    ];
    for (const route of routes) {
      for (const callbackUrl of ["x y", "javascript:alert(1)"]) {
        const viaQuery = await request.get(`${route}?callbackUrl=${encodeURIComponent(callbackUrl)}`, {
          maxRedirects: 0,
        });
        expect(viaQuery.status(), `${route}?callbackUrl=${callbackUrl}`).toBeLessThan(500);
        for (const cookie of ["authjs.callback-url", "__Secure-authjs.callback-url"]) {
          const viaCookie = await request.get(route, {
            headers: { cookie: `${cookie}=${encodeURIComponent(callbackUrl)}` },
            maxRedirects: 0,
          });
          expect(viaCookie.status(), `${route} with ${cookie}=${callbackUrl}`).toBeLessThan(500);
        }
      }
    }
  });

  test("a planted callback-url cookie does not sign the user out", async ({ page, context }) => {
    const user = await googleEmulator.createUser("planted-cookie");
    await signInWithGoogle(page, user.email);
    await context.addCookies([{ name: "authjs.callback-url", value: "javascript:alert(1)", url: OUR_ORIGIN }]);

    const response = await page.goto("/settings");
    expect(response?.status()).toBe(200);
    await expect(page).toHaveURL(/\/settings$/);
  });

  test("a path with broken percent-encoding is a 400", async ({ request }) => {
    for (const pathname of ["/api/auth/%%%", "/api/auth/a%ZZ"]) {
      expect((await request.get(pathname)).status(), pathname).toBe(400);
    }
  });

  test("server action posts that Next.js cannot decode get a 4xx", async ({ page, request }) => {
    const action = await captureSignInAction(page);
    const post = (headers: Record<string, string>, data: string | Buffer) =>
      postToAction(request, action.id, data, headers);

    expect((await post({ "Content-Type": "multipart/form-data; boundary=----X" }, "garbage")).status()).toBe(400);
    expect((await post({ "Content-Type": action.contentType }, action.body.subarray(0, 40))).status()).toBe(400);
    expect((await post({ "Content-Type": "text/plain;charset=UTF-8" }, "{{")).status()).toBe(400);
    // Well-formed but without the form the action expects: it must cope rather than crash.
    expect((await post({ "Content-Type": "text/plain;charset=UTF-8" }, "[]")).status()).toBe(200);
    expect((await post({ "Content-Type": "application/json" }, "[]")).status()).toBe(415);
    expect(
      (await post({ "Content-Type": "text/plain;charset=UTF-8" }, `["${"a".repeat(ACTION_BODY_LIMIT)}"]`)).status(),
    ).toBe(413);
    expect((await post({ "Next-Action": "deadbeef", "Content-Type": "text/plain;charset=UTF-8" }, "[]")).status()).toBe(
      400,
    );
    expect(
      (await post({ "Next-Action": "0".repeat(42), "Content-Type": "text/plain;charset=UTF-8" }, "[]")).status(),
    ).toBe(409);
    const noScriptForm = await request.post("/sign-in", {
      headers: { Origin: OUR_ORIGIN, "Content-Type": "multipart/form-data; boundary=----X" },
      data: "garbage",
    });
    expect(noScriptForm.status()).toBe(400);
  });
});

test.describe("a method a path does not answer is 405 Method Not Allowed, with Allow and the usual headers", () => {
  test("TRACE anywhere, and anything but GET or HEAD on a static file, from any origin or none", async ({
    request,
  }) => {
    const asset = (await (await request.get("/sign-in")).text()).match(/\/_next\/static\/[^"]+\.(?:css|js)/)?.[0];
    expect(asset).toBeDefined();
    const refused: Array<[string, string, string]> = [
      ["TRACE", "/", "GET, HEAD, POST"],
      ["TRACE", "/api/auth/session", "GET, HEAD, POST"],
      ["TRACE", asset!, "GET, HEAD"],
      ...["OPTIONS", "PUT", "POST", "DELETE", "PATCH", "PROPFIND"].map((method): [string, string, string] => [
        method,
        asset!,
        "GET, HEAD",
      ]),
    ];
    for (const [method, path, allow] of refused) {
      for (const origin of [OUR_ORIGIN, undefined, "https://evil.example"]) {
        const answer = await sendRaw(method, path, origin ? { Origin: origin } : {});
        const label = `${method} ${path} from ${origin ?? "no Origin"}`;
        expect(answer.status, label).toBe(405);
        expect(answer.headers.allow, label).toBe(allow);
        expect(answer.headers["x-content-type-options"], label).toBe("nosniff");
        expect(answer.headers["x-frame-options"], label).toBe("DENY");
        expect(answer.headers["referrer-policy"], label).toBe("strict-origin-when-cross-origin");
        expect(answer.headers["permissions-policy"], label).toContain("camera=()");
        expect(answer.headers["content-security-policy"], label).toContain("frame-ancestors 'none'");
      }
    }
    // What a browser asks of the file still works, and the server is none the worse.
    for (const method of ["GET", "HEAD"]) expect((await sendRaw(method, asset!)).status, method).toBe(200);
    expect((await request.get("/api/health")).status()).toBe(200);
  });
});

test.describe("server action bodies are checked before anything reads them whole", () => {
  test("without a session a body may be small: 20 MB or 100,000 fields are refused at once, never parsed", async ({
    page,
    request,
  }) => {
    const action = await captureSignInAction(page);
    const large = await postToAction(request, action.id, `["${"a".repeat(20 * 1024 * 1024)}"]`);
    expect(large.status()).toBe(413);
    const fields = `${'------X\r\nContent-Disposition: form-data; name="_1_to"\r\n\r\na@b.co\r\n'.repeat(100_000)}------X--\r\n`;
    const many = await request.post("/compose", {
      headers: { Origin: OUR_ORIGIN, "Content-Type": "multipart/form-data; boundary=----X" },
      data: fields,
      maxRedirects: 0,
    });
    expect(many.status()).toBe(413);
    // The server is not held up: a page answers at once.
    const started = Date.now();
    expect((await request.get("/api/health")).status()).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("deeply nested arguments, bound arguments that point nowhere and a foreign Host get a 4xx, not a 500", async ({
    page,
    request,
  }) => {
    const action = await captureSignInAction(page);
    const deep = await postToAction(request, action.id, `${"[".repeat(4000)}${"]".repeat(4000)}`);
    expect(deep.status()).toBe(400);
    for (const bound of ["$@1", "$Q2"]) {
      const dangling = await request.post("/sign-in", {
        headers: { Origin: OUR_ORIGIN },
        multipart: { $ACTION_REF_1: "", "$ACTION_1:0": JSON.stringify({ id: action.id, bound }) },
        maxRedirects: 0,
      });
      expect(dangling.status(), bound).toBe(400);
    }
    const foreignHosts: Record<string, string>[] = [
      { Host: "evil.example" },
      { Host: "evil.example", "X-Forwarded-Host": "evil.example" },
    ];
    for (const headers of foreignHosts) {
      const foreign = await postToAction(request, action.id, action.body, {
        "Content-Type": action.contentType,
        ...headers,
      });
      expect(foreign.status(), JSON.stringify(headers)).toBe(403);
    }
  });
});

test.describe("state changes are accepted only from Evergreen's exact origin", () => {
  test(`a server action replayed with Origin ${HTTPS_TWIN} (or a malformed or missing Origin) is refused with 403`, async ({
    page,
    request,
  }) => {
    const action = await captureSignInAction(page);
    const replay = (origin: string | undefined) =>
      request.post("/sign-in", {
        headers: {
          ...(origin === undefined ? {} : { Origin: origin }),
          "Next-Action": action.id,
          "Content-Type": action.contentType,
        },
        data: action.body,
        maxRedirects: 0,
      });

    // The genuine replay runs (it starts Google's sign-in), so a 403 below is about the Origin alone.
    const genuine = await replay(OUR_ORIGIN);
    expect(genuine.status()).toBe(200);
    expect(genuine.headers()["x-action-redirect"]).toContain(`${E2E.emulatorUrl}/`);
    for (const origin of [
      HTTPS_TWIN,
      "http://localhost:3101",
      "http://evil.example",
      "null",
      "http://[",
      "%%%",
      undefined,
    ]) {
      const forged = await replay(origin);
      expect(forged.status(), `Origin: ${origin}`).toBe(403);
      expect(forged.headers()["x-action-redirect"]).toBeUndefined();
    }
  });

  test("Auth.js's own POST endpoints refuse another origin too", async ({ request }) => {
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const signIn = (origin: string) =>
      request.post("/api/auth/signin/google", {
        headers: { Origin: origin },
        form: { csrfToken, callbackUrl: "/dashboard" },
        maxRedirects: 0,
      });

    expect((await signIn(HTTPS_TWIN)).status()).toBe(403);
    const genuine = await signIn(OUR_ORIGIN);
    expect(genuine.status()).toBe(302);
    expect(genuine.headers().location).toContain(`${E2E.emulatorUrl}/`);
  });

  test("reading pages does not depend on the Origin header", async ({ request }) => {
    for (const origin of [HTTPS_TWIN, "null", "http://[", "%%%"]) {
      expect((await request.get("/sign-in", { headers: { Origin: origin } })).status(), `Origin: ${origin}`).toBe(200);
    }
  });
});

test.describe("Strict-Transport-Security", () => {
  test("is not sent while Evergreen's URL is plain http", async ({ request }) => {
    const home = await request.get("/");
    expect(home.headers()["strict-transport-security"]).toBeUndefined();
    expect(home.headers()["content-security-policy"]).not.toContain("upgrade-insecure-requests");
  });

  test("is sent on every response once Evergreen's URL is https, static assets and refusals included", async () => {
    // The same production build behind a TLS-terminating proxy: AUTH_URL says https, the server speaks http.
    const server = await startExtraServer(3102, { AUTH_URL: "https://localhost:3102" });
    const appUrl = server.url;
    try {
      const home = await fetch(appUrl);
      const asset = (await home.text()).match(/\/_next\/static\/[^"]+\.css/)?.[0];
      expect(asset).toBeDefined();

      const responses = [
        home,
        await fetch(`${appUrl}${asset}`),
        await fetch(`${appUrl}/no-such-page`),
        await fetch(`${appUrl}/sign-in`, { method: "POST" }),
      ];
      expect(responses.map((response) => response.status)).toEqual([200, 200, 404, 403]);
      for (const response of responses) {
        expect(response.headers.get("strict-transport-security"), response.url).toBe(
          "max-age=63072000; includeSubDomains",
        );
      }
      // The rest of the header set comes too, and the page's own http links are upgraded.
      expect(home.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
      expect(home.headers.get("x-content-type-options")).toBe("nosniff");
      expect(home.headers.get("permissions-policy")).toContain("camera=()");
    } finally {
      await server.stop();
    }
  });
});
