import { randomBytes, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { BrowserContext } from "@playwright/test";
import { loadServerActions, type ServerActionEntry, type ServerActions } from "@/test-support/server-actions";
import { E2E } from "../e2e-config";

/**
 * What an attacker can reach in the build under test, found from Next's own manifests so that a new
 * page, action or route handler is attacked without editing a spec, and what a user owns in the
 * database, found by following foreign keys from their User row.
 */

const DIST_DIR = ".next";

/** A route as the manifest names it (`/(signed-in)/contacts/[id]/page`) and the URL pattern it serves. */
export type Route = { manifestKey: string; pattern: string; dynamic: boolean };

export type AppSurface = { actions: ServerActions; pages: Route[]; handlers: Route[] };

export async function readAppSurface(): Promise<AppSurface> {
  const manifest = JSON.parse(readFileSync(path.join(DIST_DIR, "server", "app-paths-manifest.json"), "utf8")) as Record<
    string,
    string
  >;
  const routes = Object.keys(manifest).map((manifestKey) => {
    const segments = manifestKey.split("/").filter((segment) => segment && !/^\(.*\)$/.test(segment));
    segments.pop();
    const pattern = `/${segments.join("/")}`;
    return { manifestKey, pattern, dynamic: pattern.includes("[") };
  });
  return {
    actions: await loadServerActions(DIST_DIR),
    // Next's own error pages (/_not-found, /_global-error) are not routes anyone navigates to.
    pages: routes.filter((route) => route.manifestKey.endsWith("/page") && !route.pattern.startsWith("/_")),
    handlers: routes.filter((route) => route.manifestKey.endsWith("/route")),
  };
}

/** A URL for a pattern, every dynamic segment filled with `value`. */
export function fillPattern(pattern: string, value: string): string {
  return pattern.replace(/\[\[?(\.\.\.)?[^\]]+\]\]?/g, encodeURIComponent(value));
}

/** Every page of the build as a URL, each dynamic segment filled with each of `ids`. */
export function pageUrls(surface: AppSurface, ids: string[]): string[] {
  return surface.pages.flatMap((route) =>
    route.dynamic ? ids.map((id) => fillPattern(route.pattern, id)) : [route.pattern],
  );
}

/** The Cookie header a context holds for the app. */
export async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies(E2E.appUrl)).map(({ name, value }) => `${name}=${value}`).join("; ");
}

/** A client address of its own per attacker, so the per-address sign-in limit counts specs apart. */
export function randomClientAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export function marker(label: string): string {
  return `${label}-${randomBytes(6).toString("hex")}`;
}

type Row = Record<string, unknown>;
/** Every row a user owns, table by table, in a stable order: what "A's data" means, generically. */
export type OwnedRows = Record<string, Row[]>;

function withDatabase<T>(work: (db: Database.Database) => T, options: { write?: boolean } = {}): T {
  const db = new Database(E2E.databaseFile, { readonly: !options.write, fileMustExist: true });
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** Runs one statement against the app's database, for states only Google or time would bring about. */
export function writeDatabase(sql: string, ...params: unknown[]): number {
  return withDatabase((db) => db.prepare(sql).run(...params).changes, { write: true });
}

export function userIdOf(email: string): string {
  return withDatabase((db) => {
    const row = db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as { id: string } | undefined;
    if (!row) throw new Error(`no user ${email}`);
    return row.id;
  });
}

/**
 * The user's row and every row that points at an owned row through a foreign key, repeated until
 * nothing new is found (Contact → User, Message → Contact and User, Attachment → Message, …).
 */
export function ownedRows(userId: string): OwnedRows {
  return withDatabase((db) => {
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'`).all() as {
        name: string;
      }[]
    )
      .map(({ name }) => name)
      .filter((name) => !name.startsWith("sqlite_"));
    const keys = new Map(
      tables.map((table) => [
        table,
        db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { table: string; from: string; to: string }[],
      ]),
    );
    const owned: Record<string, Map<string, Row>> = { User: new Map() };
    const user = db.prepare(`SELECT rowid AS __rowid, * FROM "User" WHERE id = ?`).get(userId) as Row | undefined;
    if (!user) throw new Error(`no user ${userId}`);
    owned.User!.set(String(user.__rowid), user);
    for (let grew = true; grew;) {
      grew = false;
      for (const table of tables) {
        for (const key of keys.get(table) ?? []) {
          const parents = [...(owned[key.table]?.values() ?? [])].map((row) => row[key.to]);
          if (parents.length === 0) continue;
          const rows = db
            .prepare(
              `SELECT rowid AS __rowid, * FROM "${table}" WHERE "${key.from}" IN (${parents.map(() => "?").join(",")})`,
            )
            .all(...parents) as Row[];
          const found = (owned[table] ??= new Map());
          for (const row of rows) {
            if (found.has(String(row.__rowid))) continue;
            found.set(String(row.__rowid), row);
            grew = true;
          }
        }
      }
    }
    return Object.fromEntries(
      Object.entries(owned)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([table, rows]) => [
          table,
          [...rows.values()]
            .map(({ __rowid: _, ...row }) => row)
            .sort((a, b) => String(a.id ?? "").localeCompare(String(b.id ?? ""))),
        ]),
    );
  });
}

/** How many rows each table holds: a write by someone with no session would show here. */
export function rowCounts(): Record<string, number> {
  return withDatabase((db) =>
    Object.fromEntries(
      (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[])
        // Counters of the abuse limits are written by every counted request, with or without a session.
        .filter(({ name }) => !name.startsWith("sqlite_") && !name.startsWith("_") && name !== "RateLimitBucket")
        .map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]),
    ),
  );
}

// The secrets a row holds are not ids to replay; everything else named like an id or a key is.
const ID_COLUMN = /^id$|Id$|Key$/;
const NOT_AN_ID = new Set(["sessionToken", "refresh_token", "access_token", "id_token"]);

/** Every id-like value in the user's rows (ids, foreign keys, idempotency keys), at most `perColumn` of each. */
export function idsIn(rows: OwnedRows, perColumn = 2): string[] {
  const ids = new Set<string>();
  for (const [table, tableRows] of Object.entries(rows)) {
    const columns = Object.keys(tableRows[0] ?? {}).filter(
      (column) => ID_COLUMN.test(column) && !NOT_AN_ID.has(column),
    );
    for (const column of columns) {
      const values = [
        ...new Set(tableRows.map((row) => row[column]).filter((v): v is string => typeof v === "string")),
      ];
      for (const value of values.slice(0, perColumn)) ids.add(value);
    }
    if (table === "User") ids.add(String(tableRows[0]?.email));
  }
  return [...ids];
}

/** Calls an action as a signed-in browser on our origin would, from this attacker's address. */
export function caller(actions: ServerActions, cookie: string | undefined, address = randomClientAddress()) {
  return (name: string, args: unknown[], extra: { origin?: string | null } = {}) =>
    actions.call(name, {
      baseUrl: E2E.appUrl,
      cookie,
      args,
      headers: { "x-forwarded-for": address },
      ...extra,
    });
}

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};

export const idempotencyKey = () => randomBytes(18).toString("base64url");

export type CrmData = { contactIds: string[]; messageIds: string[]; markers: string[] };

/**
 * Two contacts, two messages scheduled a day ahead, a template, a draft merge to both contacts and a
 * sequence both are enrolled in, made through the app's own actions, every text a unique marker, so any answer that contains one has
 * read this user's data.
 */
export async function seedCrmData(actions: ServerActions, cookie: string): Promise<CrmData> {
  const call = caller(actions, cookie);
  const markers: string[] = [];
  const contactIds: string[] = [];
  const emails: string[] = [];
  for (const label of ["ada", "grace"]) {
    const name = marker(`${label}-name`);
    const email = `${marker(label)}@contacts.test`;
    const notes = marker(`${label}-notes`);
    markers.push(name, email, notes);
    const created = await call("createContactAction", [{ ok: false }, form({ name, email, notes, company: "" })]);
    const id = /^\/contacts\/([^/?]+)\?notice=created$/.exec(created.redirect ?? "")?.[1];
    if (!id)
      throw new Error(`contact not created: ${created.status} ${created.redirect} ${created.text.slice(0, 300)}`);
    contactIds.push(id);
    emails.push(email);
  }
  const messageIds: string[] = [];
  for (const to of emails) {
    const subject = marker("subject");
    const body = marker("body");
    markers.push(subject, body);
    const sendAt = new Date(Date.now() + 24 * 60 * 60_000).toISOString();
    const sent = await call("sendMessageAction", [
      { ok: false },
      form({ to, subject, body, idempotencyKey: idempotencyKey(), sendAt }),
    ]);
    const id = (sent.value as { queued?: { id: string } } | undefined)?.queued?.id;
    if (!id) throw new Error(`message not scheduled: ${sent.status} ${sent.text.slice(0, 300)}`);
    messageIds.push(id);
  }

  // A template, and a merge to both contacts with its own message: their ids, the merge's ledger rows
  // and their texts are this user's data too.
  const [templateName, templateSubject, templateBody] = [marker("template"), marker("t-subject"), marker("t-body")];
  markers.push(templateName, templateSubject, templateBody);
  const template = await call("createTemplateAction", [
    { ok: false },
    form({ name: templateName, subject: `${templateSubject} {{first_name | there}}`, body: templateBody }),
  ]);
  if (template.redirect !== "/templates?notice=created")
    throw new Error(`template not created: ${template.status} ${template.text.slice(0, 300)}`);
  const audience = form({ scope: "selected" });
  for (const id of contactIds) audience.append("contactId", id);
  const merge = await call("emailSelectedAction", [{ ok: false }, audience]);
  const mergeId = /^\/merges\/([^/?]+)$/.exec(merge.redirect ?? "")?.[1];
  if (!mergeId) throw new Error(`merge not prepared: ${merge.status} ${merge.redirect} ${merge.text.slice(0, 300)}`);
  const [mergeSubject, mergeBody] = [marker("m-subject"), marker("m-body")];
  markers.push(mergeSubject, mergeBody);
  const saved = await call("saveMergeMessageAction", [
    { ok: false },
    form({ mergeId, name: marker("merge"), subject: mergeSubject, body: mergeBody }),
  ]);
  if (!saved.redirect?.endsWith("?notice=saved"))
    throw new Error(`merge message not saved: ${saved.status} ${saved.text.slice(0, 300)}`);

  // A sequence with both contacts enrolled, its versions, steps and enrolments are this user's too. It
  // sends only on the weekday three days from now, and is due then, so no step leaves during an attack.
  const [sequenceName, stepSubject, stepBody, followUpBody] = ["sequence", "s-subject", "s-body", "s-follow-up"].map(
    marker,
  ) as [string, string, string, string];
  markers.push(sequenceName, stepSubject, stepBody, followUpBody);
  const opens = new Date();
  opens.setUTCDate(opens.getUTCDate() + 3);
  opens.setUTCHours(9, 0, 0, 0);
  const sequence = await call("createSequenceAction", [
    { ok: false },
    form({
      name: sequenceName,
      timeZone: "UTC",
      days: String(opens.getUTCDay()),
      from: "9:00",
      to: "17:00",
      "step-0-subject": stepSubject,
      "step-0-body": stepBody,
      "step-1-body": followUpBody,
      "step-1-delay": "2",
      "step-1-business": "on",
    }),
  ]);
  const sequenceId = /^\/sequences\/([^/?]+)\?notice=created$/.exec(sequence.redirect ?? "")?.[1];
  if (!sequenceId) throw new Error(`sequence not created: ${sequence.status} ${sequence.text.slice(0, 300)}`);
  const enrol = form({ sequenceId });
  for (const id of contactIds) enrol.append("contactId", id);
  const enrolled = await call("enrolInSequenceAction", [{ ok: false }, enrol]);
  if ((enrolled.value as { ok?: boolean } | undefined)?.ok !== true)
    throw new Error(`contacts not enrolled: ${enrolled.status} ${enrolled.text.slice(0, 300)}`);
  // What the sequence feeder would write at its next tick, written now: the rows stay as they are.
  const at = opens.toISOString().replace("Z", "+00:00");
  writeDatabase(`UPDATE "SequenceEnrolment" SET dueAt = ?, nextSendAt = ? WHERE sequenceId = ?`, at, at, sequenceId);
  return { contactIds, messageIds, markers };
}

// Form fields the actions are known to read, with the values that select each branch; the pages'
// own forms add theirs (harvestFormFields). Fields named like ids are filled with the victim's ids.
const KNOWN_FIELDS: Record<string, string[]> = {
  id: [],
  decision: ["cancel", "retry", "send-again", "dismiss"],
  step: ["preview", "import"],
  name: ["Mallory"],
  email: ["mallory@attacker.test"],
  to: ["mallory@attacker.test"],
  subject: ["hello"],
  body: ["hello"],
  csv: ["name,email\nMallory,mallory-import@attacker.test"],
  idempotencyKey: [],
  command: ["replied", "remove", "send", "skip"],
  callbackUrl: ["/dashboard"],
  account: ["another"],
};
export const isIdField = (name: string) => /^id$|Id$|Key$/.test(name);

export type Vocabulary = Map<string, string[]>;
export type Attempt = { label: string; args: unknown[] };

/** The names of every field the pages' forms send, with the fixed values of hidden inputs and buttons. */
export async function harvestFormFields(paths: string[], cookie: string, exclude: string[]): Promise<Vocabulary> {
  const vocabulary: Vocabulary = new Map(Object.entries(KNOWN_FIELDS).map(([name, values]) => [name, [...values]]));
  for (const path of paths) {
    const html = await (await fetch(new URL(path, E2E.appUrl), { headers: { cookie } })).text();
    for (const [tag] of html.matchAll(/<(?:input|textarea|select|button)\b[^>]*>/g)) {
      const name = /\bname="([^"]+)"/.exec(tag)?.[1];
      if (!name || name.startsWith("$")) continue;
      const values = vocabulary.get(name) ?? [];
      vocabulary.set(name, values);
      const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
      const fixed = /type="hidden"|^<button/.test(tag);
      if (
        fixed &&
        value &&
        !isIdField(name) &&
        !exclude.some((text) => value.includes(text)) &&
        !values.includes(value)
      )
        values.push(value);
    }
  }
  return vocabulary;
}

function attackForm(vocabulary: Vocabulary, id: string, variant: number): FormData {
  const form = new FormData();
  for (const [name, values] of vocabulary) {
    if (isIdField(name)) form.append(name, id);
    else if (values.length > 0) form.append(name, values[variant % values.length]!);
    else form.append(name, /mail|^to$|^cc$|^bcc$/i.test(name) ? "mallory@attacker.test" : "mallory");
  }
  return form;
}

/** The arguments an action reads, from its id's first byte (Next encodes which ones the client sends). */
export function arity(action: ServerActionEntry): number {
  const mask = (parseInt(action.id.slice(0, 2), 16) >> 1) & 0x3f;
  return mask === 0 ? 0 : 6 - Math.log2(mask & -mask);
}

/** Every way to hand `id` to the action: as its argument, and in every id-like field of every form variant. */
export function attempts(action: ServerActionEntry, vocabulary: Vocabulary, id: string): Attempt[] {
  const count = arity(action);
  if (count === 0) return [{ label: "()", args: [] }];
  const variants = Math.max(...[...vocabulary.values()].map((values) => values.length), 1);
  const forms = Array.from({ length: variants }, (_, variant) => attackForm(vocabulary, id, variant));
  return [
    { label: `(${id})`, args: count === 1 ? [id] : [id, id] },
    ...forms.map((form, variant) => ({
      label: `(form #${variant} with ${id})`,
      args: count === 1 ? [form] : [{ ok: false }, form],
    })),
  ];
}

/** Zero-argument actions (sign out, disconnect) last: they end the caller's own session or connection. */
export function inAttackOrder(surface: AppSurface): ServerActionEntry[] {
  return surface.actions.list.toSorted((a, b) => Number(arity(a) === 0) - Number(arity(b) === 0));
}
