import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { decryptToken } from "@/lib/connection/token-crypto";
import { withAppDatabase } from "../app-database";
import { E2E } from "../e2e-config";
import { expect, test } from "@playwright/test";
import { googleEmulator, signInWithGoogle } from "../fixtures";
import {
  arity,
  attempts,
  caller,
  cookieHeader,
  fillPattern,
  harvestFormFields,
  idempotencyKey,
  idsIn,
  inAttackOrder,
  ownedRows,
  pageUrls,
  readAppSurface,
  seedCrmData,
  userIdOf,
  writeDatabase,
} from "./app-surface";

// Issue 12, item 4: no Google token, encryption key, AUTH_SECRET or client secret in any page, RSC
// payload, action answer, response header, cookie or line of the server log, while a user with a live
// Gmail connection, contacts and sent mail uses everything, and while Google fails under them.

/** A secret in every form it may travel in: as is, percent- and JSON-escaped, hex, and base64 at any offset. */
function formsOf(name: string, secret: string | Buffer): { name: string; text: string }[] {
  const bytes = Buffer.from(secret);
  const texts = new Set([bytes.toString("latin1"), bytes.toString("hex")]);
  if (typeof secret === "string") {
    texts.add(encodeURIComponent(secret));
    texts.add(JSON.stringify(secret).slice(1, -1));
  }
  // Inside a longer base64 text the secret starts at any byte offset; keep the characters it alone decides.
  for (let offset = 0; offset < 3; offset++) {
    const base64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const own = base64.slice(offset === 0 ? 0 : 4, 4 * Math.floor((offset + bytes.length) / 3));
    texts.add(own);
    texts.add(own.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  // Short fragments would match by chance; every secret here is far longer.
  return [...texts].filter((text) => text.length >= 16).map((text) => ({ name, text }));
}

/** The user's Google tokens as the app stores them (decrypted), before disconnecting wipes them. */
function storedTokens(email: string): { name: string; value: string }[] {
  const db = new Database(E2E.databaseFile, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT a.id, a.access_token, a.refresh_token, a.id_token FROM "Account" a JOIN "User" u ON u.id = a.userId WHERE u.email = ?`,
      )
      .get(email) as Record<"id" | "access_token" | "refresh_token" | "id_token", string | null>;
    return (["access_token", "refresh_token", "id_token"] as const).flatMap((column) => {
      const sealed = row[column];
      if (!sealed) return [];
      const value = decryptToken(sealed, row.id!, E2E.tokenKeys);
      // A JWT's header and claims are public; its signature is what must not travel.
      const signature = column === "id_token" ? [{ name: "id_token signature", value: value.split(".")[2]! }] : [];
      return [{ name: column, value }, ...signature];
    });
  } finally {
    db.close();
  }
}

const serverLogSize = () => (existsSync(E2E.serverLogFile) ? readFileSync(E2E.serverLogFile).length : 0);

async function until(check: () => boolean, what: string) {
  await expect.poll(check, { message: what, timeout: 20_000, intervals: [200] }).toBe(true);
}

/** A moment as Prisma stores a DateTime in SQLite. */
const stored = (at: Date) => at.toISOString().replace("Z", "+00:00");

/** Due at once, as after the undo window. */
const dueNow = (messageId: string) =>
  writeDatabase(`UPDATE "Message" SET nextAttemptAt = ? WHERE id = ?`, stored(new Date()), messageId);

function accountRow(userId: string) {
  const db = new Database(E2E.databaseFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT status, refreshProblem FROM "Account" WHERE userId = ?`).get(userId) as {
      status: string;
      refreshProblem: string | null;
    };
  } finally {
    db.close();
  }
}

const messageRow = (id: string) => {
  const db = new Database(E2E.databaseFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT status, attempts FROM "Message" WHERE id = ?`).get(id) as {
      status: string;
      attempts: number;
    };
  } finally {
    db.close();
  }
};

test.describe.configure({ timeout: 180_000 });

// Faults are global to the local Google: whatever happens in this test, none may outlive it.
test.afterEach(async () => {
  await googleEmulator.call("/faults", { method: "DELETE" });
});

/** Mail of any user still on its way to Gmail (earlier specs' sends would take this test's faults). */
function mailInFlight(): number {
  return withAppDatabase(
    (db) =>
      (db.prepare(`SELECT count(*) AS n FROM "Message" WHERE status IN ('QUEUED', 'SENDING')`).get() as { n: number })
        .n,
  );
}

test("no token, key or secret reaches a page, RSC payload, action answer, header, cookie or the server log", async ({
  page,
  context,
}) => {
  const logStart = serverLogSize();
  const received: { where: string; text: string }[] = [];
  const keep = (where: string, headers: Iterable<[string, string]>, body: string) =>
    received.push({ where, text: `${JSON.stringify([...headers])}\n${body}` });
  page.on("response", async (response) => {
    if (!response.url().startsWith(E2E.appUrl)) return;
    const body = await response.body().catch(() => Buffer.alloc(0));
    keep(`browser ${response.url()}`, Object.entries(await response.allHeaders()), body.toString("utf8"));
  });

  // Through Google's screens in Chromium, so the sign-in's own responses are scanned too.
  const user = await googleEmulator.createUser("leak-scan");
  await signInWithGoogle(page, user.email);
  const surface = await readAppSurface();
  const cookie = await cookieHeader(context);
  const call = caller(surface.actions, cookie);
  const data = await seedCrmData(surface.actions, cookie);
  const signedInSession = await page.request.get("/api/auth/session");
  keep("session", Object.entries(signedInSession.headers()), await signedInSession.text());
  expect(await signedInSession.json()).toEqual({
    user: { id: expect.any(String), name: user.name, email: user.email, image: expect.any(String) },
    expires: expect.any(String),
  });

  // Sent mail, through Gmail with the live connection.
  const sent = await call("sendMessageAction", [
    { ok: false },
    formOf({
      to: "someone@example.test",
      subject: "Sent for the scan",
      body: "Hello",
      idempotencyKey: idempotencyKey(),
    }),
  ]);
  const sentId = (sent.value as { queued: { id: string } }).queued.id;
  dueNow(sentId);
  await until(() => messageRow(sentId).status === "SENT", "the message is sent");

  // Every page the build has, dynamic segments filled with every id the user owns, in Chromium (which
  // also fetches scripts and RSC payloads) and over HTTP as HTML and as an RSC request.
  const ids = idsIn(ownedRows(userIdOf(user.email)), 2);
  const served = new Set<string>();
  for (const route of surface.pages) {
    for (const url of route.dynamic ? ids.map((id) => fillPattern(route.pattern, id)) : [route.pattern]) {
      let status = 0;
      for (const rsc of [false, true]) {
        const response = await fetch(new URL(url, E2E.appUrl), {
          redirect: "manual",
          headers: { cookie, ...(rsc ? { RSC: "1" } : {}) },
        });
        keep(`${rsc ? "RSC" : "HTML"} ${url}`, response.headers, await response.text());
        status ||= response.status;
      }
      // A dynamic page counts when one of the user's ids opens it; a static one may redirect.
      if (route.dynamic ? status !== 200 : status >= 400) continue;
      served.add(route.pattern);
      await page.goto(url);
    }
  }
  expect(surface.pages.filter((route) => !served.has(route.pattern)).map((route) => route.pattern)).toEqual([]);

  // Every action, with every field the forms send, the user's own ids in the id-like ones.
  const vocabulary = await harvestFormFields(pageUrls(surface, [...data.contactIds, ...data.messageIds]), cookie, []);
  const actionsWithArguments = inAttackOrder(surface).filter((action) => arity(action) > 0);
  for (const action of actionsWithArguments) {
    for (const id of [data.contactIds[0]!, data.messageIds[0]!]) {
      for (const attempt of attempts(action, vocabulary, id)) {
        const response = await call(action.exportedName, attempt.args);
        keep(`action ${action.exportedName}${attempt.label}`, response.headers, response.text);
      }
    }
  }

  // Google failing under the user, so every path that holds a token while it fails runs: Gmail answers
  // 401 and the refresh that follows finds Google down; our OAuth client refused (an operator problem,
  // logged); the keep-alive, run by the cron route, while Google drops connections; the grant revoked.
  const userId = userIdOf(user.email);
  const sendNow = async (subject: string) => {
    const queued = await call("sendMessageAction", [
      { ok: false },
      formOf({ to: "someone@example.test", subject, body: "Hello", idempotencyKey: idempotencyKey() }),
    ]);
    const id = (queued.value as { queued: { id: string } }).queued.id;
    dueNow(id);
    return id;
  };
  const fault = (body: object) => googleEmulator.call("/faults", { body });
  const clearFaults = () => googleEmulator.call("/faults", { method: "DELETE" });

  await expect
    .poll(mailInFlight, { message: "earlier mail has left the outbox", timeout: 90_000, intervals: [500] })
    .toBe(0);
  await fault({ endpoint: "gmail.send", count: 1, status: 401 });
  await fault({ endpoint: "token", count: 10, status: 503 });
  await sendNow("Google down");
  await until(() => accountRow(userId).refreshProblem === "TRANSIENT", "the refresh failed as Google being down");
  await clearFaults();
  const tokens = storedTokens(user.email);
  expect(tokens.map((token) => token.name)).toEqual(expect.arrayContaining(["access_token", "refresh_token"]));

  await fault({ endpoint: "token", count: 10, status: 401, body: { error: "invalid_client" } });
  writeDatabase(`UPDATE "Account" SET expires_at = 0 WHERE userId = ?`, userId);
  await sendNow("Client refused");
  await until(() => accountRow(userId).refreshProblem === "CONFIGURATION", "the refresh failed as our client refused");
  await clearFaults();

  await fault({ endpoint: "token", count: 10, mode: "drop-before" });
  writeDatabase(`UPDATE "Account" SET refreshProblemAt = ? WHERE userId = ?`, stored(new Date(0)), userId);
  const cron = await fetch(new URL("/api/cron/jobs", E2E.appUrl), {
    headers: { Authorization: `Bearer ${E2E.appEnv.CRON_SECRET}` },
  });
  keep("cron", cron.headers, await cron.text());
  expect(cron.status).toBe(200);
  await clearFaults();

  await googleEmulator.call(`/users/${encodeURIComponent(user.email)}/revoke`, { body: {} });
  writeDatabase(`UPDATE "Account" SET expires_at = 0 WHERE userId = ?`, userId);
  const revokedId = await sendNow("Grant revoked");
  await until(() => messageRow(revokedId).status === "WAITING_FOR_RECONNECT", "the message waits for a reconnect");

  // Arguments of the wrong kind and bodies no client sends, so error paths log what they log.
  for (const action of actionsWithArguments) {
    for (const args of [
      [1, 2, 3],
      [{ ok: true }, { id: "x" }],
      [null, null],
    ]) {
      const response = await call(action.exportedName, args);
      keep(`action ${action.exportedName}${JSON.stringify(args)}`, response.headers, response.text);
    }
    for (const body of ['["$Q1"]', '["$K1"]', "{{"]) {
      const raw = await surface.actions.call(action, { baseUrl: E2E.appUrl, cookie, body });
      keep(`action ${action.exportedName} sent ${body}`, raw.headers, raw.text);
    }
  }

  // Last, the actions that take nothing: reconnect, disconnect (revoking a grant Google already ended), sign out.
  for (const action of inAttackOrder(surface).filter((entry) => arity(entry) === 0)) {
    const response = await call(action.exportedName, []);
    keep(`action ${action.exportedName}()`, response.headers, response.text);
  }
  const session = await page.request.get("/api/auth/session");
  keep("session", Object.entries(session.headers()), await session.text());
  keep("cookies", [], JSON.stringify(await context.cookies()));

  const issued = await googleEmulator.tokensOf(user.email);
  const nextManifest = JSON.parse(
    readFileSync(path.join(".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { encryptionKey: string };
  const tokenKey = E2E.tokenKeys[0]!.key;
  const secrets = [
    ...tokens.flatMap((token) => formsOf(token.name, token.value)),
    ...issued.accessTokens.flatMap((token) => formsOf("an access token Google issued", token.token)),
    ...issued.refreshTokens.flatMap((token) => formsOf("a refresh token Google issued", token.token)),
    ...formsOf("the token encryption key", tokenKey),
    ...formsOf("TOKEN_ENCRYPTION_KEYS", E2E.appEnv.TOKEN_ENCRYPTION_KEYS),
    ...formsOf("AUTH_SECRET", E2E.appEnv.AUTH_SECRET),
    ...formsOf("AUTH_GOOGLE_SECRET", E2E.appEnv.AUTH_GOOGLE_SECRET),
    ...formsOf("CRON_SECRET", E2E.appEnv.CRON_SECRET),
    ...formsOf("Next's server action key", Buffer.from(nextManifest.encryptionKey, "base64")),
  ];
  expect(issued.refreshTokens.length).toBeGreaterThanOrEqual(1);
  expect(issued.accessTokens.length).toBeGreaterThanOrEqual(1);
  expect(received.length).toBeGreaterThan(surface.pages.length * 2 + surface.actions.list.length);

  const secretsIn = (text: string) => secrets.filter((secret) => text.includes(secret.text));
  // The scan sees them where they do travel: Google's own list, and inside longer base64 or URL text.
  expect(secretsIn(JSON.stringify(issued)).length).toBeGreaterThanOrEqual(2);
  for (const [name, value] of Object.entries({ AUTH_SECRET: E2E.appEnv.AUTH_SECRET, key: tokenKey })) {
    expect(
      secretsIn(Buffer.concat([Buffer.from("x"), Buffer.from(value), Buffer.from("yz")]).toString("base64url")),
      name,
    ).not.toEqual([]);
    expect(secretsIn(`a=${encodeURIComponent(String(value))}&b`), name).not.toEqual([]);
  }
  const found = received.flatMap(({ where, text }) => secretsIn(text).map((secret) => `${secret.name} in ${where}`));
  expect([...new Set(found)]).toEqual([]);
  // Not even under their own names, nor in Google's formats (ya29. access tokens, 1//0 refresh tokens).
  const everything = received.map(({ text }) => text).join("\n");
  expect(everything).not.toMatch(/ya29\.|1\/\/0|"(access|refresh|id)_token"/);
  expect(JSON.parse((await session.text()) || "null")).toBeNull();

  // The server log of this test: let the last lines reach the file, then read what was added.
  await page.waitForTimeout(500);
  const log = readFileSync(E2E.serverLogFile).subarray(logStart).toString("utf8");
  expect(log.length).toBeGreaterThan(0);
  const inLog = secretsIn(log).map((secret) => `${secret.name} in the server log`);
  expect([...new Set(inLog)]).toEqual([]);
});

function formOf(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}
