import { randomBytes } from "node:crypto";
import type { Client } from "pg";
import type { ComposeState } from "@/app/(signed-in)/compose/actions";
import type { EmulatorControl } from "@/google-emulator/control/client";
import type { ServerActions } from "@/test-support/server-actions";
import type { Check } from "@/attack/load/results";
import { AppSession, signInHeadless } from "@/attack/load/session";
import type { Cluster, Proc } from "./cluster";

/** What every check works with: the running cluster, its database, the local Google's control API and the build's actions. */
export type Context = { cluster: Cluster; db: Client; control: EmulatorControl; actions: ServerActions };

/**
 * A browser of its own for each test user, on a loopback address of its own (127.0.2.n): nginx sees it
 * as that client, and so does a server it is pinned to (the X-Forwarded-For a proxy would add).
 */
export function browser(ctx: Context, n: number): AppSession {
  const address = `127.0.2.${n}`;
  return new AppSession(ctx.cluster.url, address, { localAddress: address });
}

export async function signIn(ctx: Context, session: AppSession, email: string): Promise<void> {
  await ctx.control.addUser({ email, name: email.split("@")[0] });
  await signInHeadless(session, ctx.cluster.emulatorUrl, email);
}

/** Sends a message as the compose form's fetch action does; answers its outbox id. */
export async function sendMessage(ctx: Context, session: AppSession, subject: string): Promise<string> {
  const form = new FormData();
  form.append("to", "pat@example.net");
  form.append("subject", subject);
  form.append("body", `${subject}: a message of the topology test.`);
  form.append("idempotencyKey", randomBytes(18).toString("base64url"));
  const action = ctx.actions.get({ filename: "app/(signed-in)/compose/actions.ts", exportedName: "sendMessageAction" });
  const answer = await ctx.actions.call(action, {
    baseUrl: session.baseUrl,
    origin: new URL(session.appUrl).origin,
    cookie: session.cookieHeader(),
    headers: session.forwardingHeaders(),
    args: [{ ok: true } satisfies ComposeState, form],
  });
  const id = (answer.value as ComposeState | undefined)?.queued?.id;
  if (!id) throw new Error(`sending "${subject}" was refused: ${answer.status} ${answer.text.slice(0, 300)}`);
  return id;
}

export type MessageRow = {
  id: string;
  subject: string;
  status: string;
  leaseId: string | null;
  sendStartedAt: Date | null;
  rfc822MessageId: string | null;
  lastError: string | null;
};

export async function messageRows(db: Client, ids: string[]): Promise<MessageRow[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT id, subject, status::text AS status, "leaseId", "sendStartedAt", "rfc822MessageId", "lastError"
       FROM "Message" WHERE id = ANY($1) ORDER BY subject`,
    [ids],
  );
  return rows;
}

/**
 * Makes queued messages due now, past the undo window, or holds them for a day; the outbox claims only
 * due ones, so this decides when workers see them.
 */
export async function makeDue(db: Client, ids: string[], when: "now" | "held"): Promise<void> {
  await db.query(
    `UPDATE "Message" SET "nextAttemptAt" = now() + ($2 || ' seconds')::interval WHERE id = ANY($1) AND status::text IN ('QUEUED', 'SCHEDULED')`,
    [ids, when === "now" ? "-1" : "86400"],
  );
}

/** How often each subject arrived at the local Google. */
export async function arrivals(ctx: Context, subjects: string[]): Promise<Map<string, number>> {
  const counts = new Map(subjects.map((subject) => [subject, 0]));
  for (const message of await ctx.control.messages())
    if (counts.has(message.subject)) counts.set(message.subject, counts.get(message.subject)! + 1);
  return counts;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A check that threw is a failed check with the reason, so one broken step never hides the rest. */
export async function runCheck(name: string, work: () => Promise<{ ok: boolean; detail: string }>): Promise<Check> {
  const started = performance.now();
  try {
    const { ok, detail } = await work();
    return { name, ok, detail: `${detail} [${((performance.now() - started) / 1000).toFixed(1)} s]` };
  } catch (error) {
    return { name, ok: false, detail: `did not complete: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Waits until every message satisfies `done`; answers their rows. */
export async function waitForMessages(
  db: Client,
  ids: string[],
  what: string,
  done: (row: MessageRow) => boolean,
  timeoutMs: number,
): Promise<MessageRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await messageRows(db, ids);
    if (rows.length === ids.length && rows.every(done)) return rows;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Settled: no longer waiting for or holding a worker. */
export const settled = (row: MessageRow) => row.status !== "QUEUED" && row.status !== "SENDING";

/**
 * Makes message `id` due with `other` paused, so `worker` (the one left) claims it; Gmail holds its
 * request `holdMs`. Calls `act` once the request is at Google, then resumes `other`.
 */
export async function whileSendHeld(
  ctx: Context,
  { id, other, holdMs }: { id: string; other: Proc; holdMs: number },
  act: () => Promise<void>,
): Promise<void> {
  const { cluster, db, control } = ctx;
  const sendsBefore = (await control.calls())["gmail.send"] ?? 0;
  await control.addFault({ endpoint: "gmail.send", delayMs: holdMs, count: 1 });
  cluster.signal(other, "SIGSTOP", "group");
  try {
    await makeDue(db, [id], "now");
    const deadline = Date.now() + 30_000;
    while (((await control.calls())["gmail.send"] ?? 0) <= sendsBefore) {
      if (Date.now() > deadline) throw new Error("the send did not reach Google within 30 s");
      await sleep(50);
    }
    await act();
  } finally {
    cluster.signal(other, "SIGCONT", "group");
  }
}
