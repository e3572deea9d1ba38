import { randomBytes } from "node:crypto";
import { encodeReply, routeFor, type ActionResponse, type ServerActionEntry } from "@/test-support/server-actions";
import { originExempt } from "@/lib/http/request-guard";
import { E2E } from "../e2e-config";
import { googleEmulator } from "../fixtures";
import { expect, signInHeadless, test } from "../signed-in";
import {
  arity,
  attempts,
  caller,
  cookieHeader,
  fillPattern,
  harvestFormFields,
  idsIn,
  inAttackOrder,
  ownedRows,
  pageUrls,
  randomClientAddress,
  readAppSurface,
  rowCounts,
  seedCrmData,
  userIdOf,
  writeDatabase,
  type AppSurface,
  type CrmData,
} from "./app-surface";

// Issue 12, item 3: every server action and route handler of the build under test, found from its
// manifests, called without a session, as another user with the victim's ids, and from other origins.

const HEAVY = process.env.ATTACK_SCALE === "heavy";
const OUR_ORIGIN = E2E.appUrl;
const FORGED_ORIGINS: (string | null)[] = [null, "https://evil.test", OUR_ORIGIN.replace(/^http:/, "https:"), "null"];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// What discovery must at least find, so a broken manifest reader cannot pass by attacking nothing.
const KNOWN_ACTIONS = [
  "signInWithGoogleAction",
  "reconnectGmailAction",
  "reconnectGmailFromComposeAction",
  "disconnectGmailAction",
  "signOutAction",
  "sendMessageAction",
  "undoSendAction",
  "messageStatusAction",
  "createContactAction",
  "updateContactAction",
  "deleteContactAction",
  "previewImportAction",
  "importContactsAction",
  "decideMessageAction",
  "createSequenceAction",
  "updateSequenceAction",
  "enrolInSequenceAction",
  "changeEnrolmentAction",
  "moveToCurrentVersionAction",
  "markContactRepliedAction",
];
const KNOWN_HANDLERS = [
  "/api/auth/[...nextauth]",
  "/api/cron/jobs",
  "/api/health",
  "/api/health/live",
  "/api/health/ready",
  "/api/google/risc",
  "/sign-in/consent",
];
const KNOWN_PAGES = [
  "/",
  "/sign-in",
  "/dashboard",
  "/compose",
  "/outbox",
  "/settings",
  "/contacts",
  "/contacts/[id]",
  "/sequences",
  "/sequences/new",
  "/sequences/[id]",
  "/sequences/[id]/edit",
];

// The endpoints Auth.js serves under its catch-all route, /api/auth/<action>[/<provider>].
const AUTH_JS_PATHS = [
  "session",
  "csrf",
  "providers",
  "signin",
  "signin/google",
  "signout",
  "callback/google",
  "error",
];

/** Every page, the dynamic ones opened with the victim's contacts and messages: where the forms are. */
const pagesOf = (surface: AppSurface, data: CrmData) => pageUrls(surface, [...data.contactIds, ...data.messageIds]);

/** An id of the same shape that names nothing. */
function madeUpLike(id: string): string {
  if (id.includes("@")) return `nobody-${randomBytes(4).toString("hex")}@evergreen.test`;
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return id[0] + [...id.slice(1)].map(() => alphabet[randomBytes(1)[0]! % alphabet.length]).join("");
}

/** Did the action do or show something, rather than refuse? Redirects to sign-in and `ok: false` are refusals. */
function outcome(response: ActionResponse) {
  const value = response.value as { ok?: unknown } | null | undefined;
  const signIn = response.redirect && new URL(response.redirect, OUR_ORIGIN).pathname === "/sign-in";
  const refused =
    response.status >= 400 || signIn || value === null || (typeof value === "object" && value.ok === false);
  return {
    refused: Boolean(refused),
    summary: JSON.stringify({
      status: response.status,
      redirected: Boolean(response.redirect),
      ok: typeof value === "object" && value !== null ? value.ok : value,
      keys: typeof value === "object" && value !== null ? Object.keys(value).sort() : [],
    }),
  };
}

function leaked(text: string, secrets: string[]): string[] {
  return secrets.filter((secret) => text.includes(secret));
}

async function victimWithData(context: Parameters<typeof cookieHeader>[0], email: string, surface: AppSurface) {
  const cookie = await cookieHeader(context);
  const data: CrmData = await seedCrmData(surface.actions, cookie);
  // A failed message, as the outbox leaves one, so retry and dismiss have something to act on.
  expect(
    writeDatabase(`UPDATE "Message" SET status = 'FAILED', lastError = 'refused' WHERE id = ?`, data.messageIds[1]),
  ).toBe(1);
  const userId = userIdOf(email);
  return { cookie, data, userId };
}

test.describe.configure({ timeout: HEAVY ? 600_000 : 120_000 });

test("discovery finds every known action, page and route handler in the build", async () => {
  const surface = await readAppSurface();
  expect(surface.actions.list.map((action) => action.exportedName)).toEqual(expect.arrayContaining(KNOWN_ACTIONS));
  expect(surface.handlers.map((route) => route.pattern)).toEqual(expect.arrayContaining(KNOWN_HANDLERS));
  expect(surface.pages.map((route) => route.pattern)).toEqual(expect.arrayContaining(KNOWN_PAGES));
  for (const action of surface.actions.list) expect(action.id, action.exportedName).toMatch(/^[0-9a-f]{42}$/);
});

test("the test's action client posts what Chromium posts", async ({ page, signedInUser }) => {
  void signedInUser;
  const surface = await readAppSurface();
  await page.goto("/contacts/new");
  const posted = page.waitForRequest((request) => request.method() === "POST" && !!request.headers()["next-action"]);
  await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await page.getByLabel("Email", { exact: true }).fill(`ada-${randomBytes(3).toString("hex")}@contacts.test`);
  await page.getByRole("button", { name: "Save contact" }).click();
  const request = await posted;
  await expect(page).toHaveURL(/\/contacts\/[^/]+\?notice=created$/);

  const headers = request.headers();
  const action = surface.actions.list.find((entry) => entry.id === headers["next-action"]);
  expect(action?.exportedName).toBe("createContactAction");
  expect(headers.accept).toBe("text/x-component");
  const body = await new Response(new Uint8Array(request.postDataBuffer() ?? []), {
    headers: { "content-type": headers["content-type"]! },
  }).formData();
  const root = String(body.get("0"));
  const [previous] = JSON.parse(root) as [unknown];
  expect(root).toBe(JSON.stringify([previous, "$K1"]));
  expect(JSON.stringify(previous)).not.toContain('"$');
  const fields = new FormData();
  for (const [name, value] of body) if (name.startsWith("_1_")) fields.append(name.slice(3), value);

  // Encoded by the client, the same arguments make the same body and the same router state.
  const encoded = encodeReply([previous, fields]) as FormData;
  expect([...encoded].map(String)).toEqual([...body].map(String));
  const skeleton = (tree: unknown): unknown => {
    const [segment, children] = tree as [unknown, Record<string, unknown>];
    return [segment, Object.fromEntries(Object.entries(children).map(([key, child]) => [key, skeleton(child)]))];
  };
  expect(skeleton(JSON.parse(decodeURIComponent(headers["next-router-state-tree"]!)))).toEqual(
    routeFor(action!, "/contacts/new").tree,
  );

  // Sent by the client, the same form is answered as the browser's was, read back into a value: the
  // address is taken now, which the action says in its return value.
  const replay = await surface.actions.call(action!, {
    baseUrl: OUR_ORIGIN,
    cookie: await cookieHeader(page.context()),
    args: [previous, fields],
  });
  expect(replay.status).toBe(200);
  expect(replay.value).toMatchObject({ ok: false, fieldErrors: { email: [expect.any(String)] } });
});

test("every action called without a session is refused and writes nothing", async ({ page, signedInUser }) => {
  const surface = await readAppSurface();
  const victim = await victimWithData(page.context(), signedInUser.email, surface);
  const before = { rows: ownedRows(victim.userId), counts: rowCounts() };
  const vocabulary = await harvestFormFields(pagesOf(surface, victim.data), victim.cookie, victim.data.markers);
  const anonymous = caller(surface.actions, undefined);

  const problems: string[] = [];
  let calls = 0;
  for (const action of inAttackOrder(surface)) {
    for (const id of [...victim.data.contactIds, ...victim.data.messageIds].slice(0, HEAVY ? 4 : 2)) {
      for (const attempt of attempts(action, vocabulary, id)) {
        const response = await anonymous(action.exportedName, attempt.args);
        calls++;
        const started = response.redirect && new URL(response.redirect, OUR_ORIGIN).origin === E2E.emulatorUrl;
        if (response.status >= 500 || (!outcome(response).refused && !started))
          problems.push(`${action.exportedName}${attempt.label}: ${outcome(response).summary}`);
        for (const secret of leaked(response.text, [...victim.data.markers, signedInUser.email]))
          problems.push(`${action.exportedName}${attempt.label} answered with ${secret}`);
      }
    }
  }

  expect(problems).toEqual([]);
  expect(calls).toBeGreaterThan(surface.actions.list.length);
  expect(ownedRows(victim.userId)).toEqual(before.rows);
  expect(rowCounts()).toEqual(before.counts);
});

test("every action called by another user with the victim's ids leaves the victim's data untouched and unread", async ({
  page,
  browser,
  signedInUser,
}) => {
  const surface = await readAppSurface();
  const victim = await victimWithData(page.context(), signedInUser.email, surface);
  const vocabulary = await harvestFormFields(pagesOf(surface, victim.data), victim.cookie, victim.data.markers);
  const before = ownedRows(victim.userId);
  const victimIds = [
    ...new Set([...victim.data.contactIds, ...victim.data.messageIds, ...idsIn(before, HEAVY ? 3 : 1)]),
  ];

  const attackerContext = await browser.newContext();
  const attacker = await googleEmulator.createUser("attacker");
  await signInHeadless(attackerContext, attacker.email);
  const asAttacker = caller(surface.actions, await cookieHeader(attackerContext));
  const secrets = [...victim.data.markers, signedInUser.email, ...victimIds.filter((id) => id.length >= 12)];

  const problems: string[] = [];
  let calls = 0;
  for (const action of inAttackOrder(surface)) {
    for (const id of arity(action) === 0 ? ["-"] : victimIds) {
      for (const attempt of attempts(action, vocabulary, id)) {
        const response = await asAttacker(action.exportedName, attempt.args);
        calls++;
        const where = `${action.exportedName}${attempt.label}`;
        if (response.status >= 500) problems.push(`${where}: HTTP ${response.status}`);
        for (const secret of leaked(response.text + JSON.stringify([...response.headers]), secrets))
          if (!JSON.stringify(attempt.args).includes(secret)) problems.push(`${where} answered with ${secret}`);
        // A victim's id must fare no better than an id that names nothing: otherwise it was found, or acted on.
        const seen = outcome(response);
        if (seen.refused || id === "-") continue;
        const madeUp = madeUpLike(id);
        const twin = attempts(action, vocabulary, madeUp).find(
          (other) => other.label === attempt.label.replace(id, madeUp),
        );
        const control = outcome(await asAttacker(action.exportedName, twin!.args));
        if (control.summary !== seen.summary)
          problems.push(`${where}: ${seen.summary} but ${control.summary} for an unknown id`);
      }
    }
  }
  await attackerContext.close();

  expect(problems).toEqual([]);
  expect(calls).toBeGreaterThan(surface.actions.list.length * 2);
  expect(ownedRows(victim.userId)).toEqual(before);

  // The same requests from the victim do change the victim's data: the attacks were well-formed.
  const asVictim = caller(surface.actions, victim.cookie);
  for (const action of inAttackOrder(surface).filter((entry) => arity(entry) > 0))
    for (const id of [...victim.data.messageIds, ...victim.data.contactIds])
      for (const attempt of attempts(action, vocabulary, id)) await asVictim(action.exportedName, attempt.args);
  const after = ownedRows(victim.userId);
  expect(after.Message?.map((message) => message.status)).not.toEqual(before.Message?.map((message) => message.status));
  expect(after.Contact?.length).toBeLessThan(before.Contact?.length ?? 0);
});

test("every action posted with a missing, foreign, scheme-mismatched or null Origin is refused with 403 and writes nothing", async ({
  page,
  signedInUser,
}) => {
  const surface = await readAppSurface();
  const victim = await victimWithData(page.context(), signedInUser.email, surface);
  const vocabulary = await harvestFormFields(pagesOf(surface, victim.data), victim.cookie, victim.data.markers);
  const before = { rows: ownedRows(victim.userId), counts: rowCounts() };
  const asVictim = caller(surface.actions, victim.cookie);
  const planned = inAttackOrder(surface).map((action) => ({
    action,
    attempt: attempts(action, vocabulary, victim.data.messageIds[0]!)[1] ?? attempts(action, vocabulary, "-")[0]!,
  }));

  const statuses: string[] = [];
  for (const { action, attempt } of planned) {
    for (const origin of FORGED_ORIGINS) {
      const response = await asVictim(action.exportedName, attempt.args, { origin });
      statuses.push(
        `${action.exportedName} Origin ${origin}: ${response.status}${response.text ? " with a body" : ""}`,
      );
    }
  }
  expect(statuses).toEqual(
    planned.flatMap(({ action }) => FORGED_ORIGINS.map((origin) => `${action.exportedName} Origin ${origin}: 403`)),
  );
  expect(ownedRows(victim.userId)).toEqual(before.rows);
  expect(rowCounts()).toEqual(before.counts);

  // The very same requests from our own origin get through: the Origin alone was refused.
  for (const { action, attempt } of planned) {
    const response = await asVictim(action.exportedName, attempt.args);
    expect(response.status, action.exportedName).not.toBe(403);
  }
});

test("every action answers arguments React's decoder cannot read with a 400, never a 500", async ({
  page,
  signedInUser,
}) => {
  void signedInUser;
  const surface = await readAppSurface();
  const cookie = await cookieHeader(page.context());
  const bodies = ['["$Q1"]', '["$1:a"]', '["$@1"]', '["$h1"]', '["$B1"]', '["$nx"]', '["$"]'];
  const statuses: string[] = [];
  for (const action of inAttackOrder(surface)) {
    for (const body of bodies) {
      const response = await surface.actions.call(action, {
        baseUrl: OUR_ORIGIN,
        cookie,
        body,
        headers: { "x-forwarded-for": randomClientAddress() },
      });
      statuses.push(`${action.exportedName} ${body}: ${response.status}`);
    }
  }
  expect(statuses).toEqual(
    inAttackOrder(surface).flatMap((action) => bodies.map((body) => `${action.exportedName} ${body}: 400`)),
  );
});

test("every route handler and method: forged origins are refused, nothing private without a session, never a 5xx", async ({
  page,
  signedInUser,
}) => {
  const surface = await readAppSurface();
  const victim = await victimWithData(page.context(), signedInUser.email, surface);
  const account = await googleEmulator.tokensOf(signedInUser.email);
  const secrets = [
    ...victim.data.markers,
    signedInUser.email,
    ...[...account.accessTokens, ...account.refreshTokens].map((token) => token.token),
  ];
  const urls = surface.handlers.flatMap((route) =>
    route.pattern === "/api/auth/[...nextauth]"
      ? [...AUTH_JS_PATHS, "no-such-action"].map((path) => `/api/auth/${path}`)
      : route.dynamic
        ? [fillPattern(route.pattern, "x"), fillPattern(route.pattern, victim.data.contactIds[0]!)]
        : [route.pattern],
  );
  const request = (url: string, method: string, headers: Record<string, string>) =>
    fetch(new URL(url, OUR_ORIGIN), {
      method,
      redirect: "manual",
      headers: { "x-forwarded-for": randomClientAddress(), ...headers },
      body: SAFE_METHODS.has(method) ? undefined : "",
    });

  const problems: string[] = [];
  for (const url of urls) {
    for (const method of METHODS) {
      for (const origin of SAFE_METHODS.has(method) ? [] : FORGED_ORIGINS) {
        const forged = await request(url, method, { ...(origin ? { origin } : {}), cookie: victim.cookie });
        // Google's security events need no Origin; the empty body is then refused as not a signed event.
        const refusal = originExempt({ method, pathname: new URL(url, OUR_ORIGIN).pathname }) ? 400 : 403;
        if (forged.status !== refusal) problems.push(`${method} ${url} from Origin ${origin}: ${forged.status}`);
      }
      for (const cookie of [undefined, victim.cookie]) {
        const response = await request(url, method, { origin: OUR_ORIGIN, ...(cookie ? { cookie } : {}) });
        const text = `${JSON.stringify([...response.headers])}\n${await response.text()}`;
        const who = cookie ? "signed in" : "without a session";
        if (response.status >= 500) problems.push(`${method} ${url} ${who}: ${response.status}`);
        for (const secret of leaked(text, cookie ? secrets.slice(victim.data.markers.length + 1) : secrets))
          problems.push(`${method} ${url} ${who} answered with ${secret}`);
      }
    }
  }
  expect(problems).toEqual([]);
});

test("Auth.js's routes answer GET, HEAD (as GET, without a body) and POST; other methods are 405, not an error", async ({
  request,
}) => {
  for (const path of AUTH_JS_PATHS) {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const response = await request.fetch(`/api/auth/${path}`, { method, headers: { Origin: OUR_ORIGIN } });
      expect(response.status(), `${method} /api/auth/${path}`).toBe(405);
    }
    const get = await request.get(`/api/auth/${path}`, { maxRedirects: 0 });
    const head = await request.head(`/api/auth/${path}`, { maxRedirects: 0 });
    expect(head.status(), `HEAD /api/auth/${path}`).toBe(get.status());
    expect(head.headers()["content-type"], `HEAD /api/auth/${path}`).toBe(get.headers()["content-type"]);
    expect((await head.body()).length, `HEAD /api/auth/${path}`).toBe(0);
  }
});

test("the cron route runs the background jobs only for its bearer secret, not for a session", async ({
  request,
  page,
  signedInUser,
}) => {
  const secret = E2E.appEnv.CRON_SECRET;
  const cookie = await cookieHeader(page.context());
  expect(signedInUser.email).toBeTruthy();
  const refused: Record<string, string>[] = [
    {},
    { Authorization: "Bearer wrong" },
    { Authorization: `Bearer ${secret}x` },
    { Authorization: `Basic ${Buffer.from(`:${secret}`).toString("base64")}` },
    { Authorization: secret },
    { cookie },
  ];
  for (const headers of refused) {
    const response = await request.get("/api/cron/jobs", { headers });
    expect(response.status(), JSON.stringify(headers)).toBe(401);
    expect(await response.json()).toEqual({ error: "unauthorized" });
  }
  const post = await request.post("/api/cron/jobs", {
    headers: { Authorization: `Bearer ${secret}`, Origin: OUR_ORIGIN },
  });
  expect(post.status()).toBe(405);
  const genuine = await request.get("/api/cron/jobs", { headers: { Authorization: `Bearer ${secret}` } });
  expect(genuine.status()).toBe(200);
  expect(Object.keys(((await genuine.json()) as { ran: object }).ran)).toContain("outbox");
});
