import { randomBytes } from "node:crypto";
import type { ComposeState } from "@/app/(signed-in)/compose/actions";
import type { AppSession } from "@/attack/load/session";
import { encodeReply, omitUnusedArgs, readActionResult, routeFor } from "@/test-support/server-actions";
import {
  arrivals,
  browser,
  makeDue,
  messageRows,
  sendMessage,
  settled,
  signIn,
  sleep,
  waitForMessages,
  whileSendHeld,
  type Context,
} from "./app-client";
import { waitForHttp, waitForOutput, type Proc } from "./cluster";

/**
 * Check 6: SIGTERM, as Docker's init passes it on, drains. A server with a slow request in flight (a
 * send whose body is still arriving) answers it with 200 and exits within 10 s, while nginx sends new
 * requests to the other server; a worker whose send Gmail is holding finishes it and exits with 0 within 10 s.
 */

const DRAIN_LIMIT_MS = 10_000;
const UPLOAD_MS = 3_000;
const HOLD_MS = 3_000;

/** A send action whose body arrives over UPLOAD_MS, straight to `server`. */
async function slowSend(ctx: Context, session: AppSession, server: string, subject: string, onFirstBytes: () => void) {
  const action = ctx.actions.get({ filename: "app/(signed-in)/compose/actions.ts", exportedName: "sendMessageAction" });
  const form = new FormData();
  form.append("to", "pat@example.net");
  form.append("subject", subject);
  form.append("body", `${subject}: sent while its server was told to stop.`);
  form.append("idempotencyKey", randomBytes(18).toString("base64url"));
  const encoded = new Request("http://encode.invalid", {
    method: "POST",
    body: encodeReply(omitUnusedArgs(action.id, [{ ok: true } satisfies ComposeState, form])),
  });
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const pieces = 6;
  const size = Math.ceil(bytes.length / pieces);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= pieces) return controller.close();
      if (sent > 0) await sleep(UPLOAD_MS / pieces);
      controller.enqueue(bytes.slice(sent * size, (sent + 1) * size));
      if (sent === 0) onFirstBytes();
      sent += 1;
    },
  });
  const route = routeFor(action);
  const response = await fetch(new URL(route.path, server), {
    method: "POST",
    body,
    duplex: "half",
    headers: {
      Accept: "text/x-component",
      "Next-Action": action.id,
      "Next-Router-State-Tree": encodeURIComponent(JSON.stringify(route.tree)),
      "content-type": encoded.headers.get("content-type") ?? "text/plain;charset=UTF-8",
      origin: new URL(session.appUrl).origin,
      cookie: session.cookieHeader(),
      ...session.forwardingHeaders(),
    },
  } as RequestInit);
  const answer = new Uint8Array(await response.arrayBuffer());
  const state = readActionResult(answer).value as ComposeState | undefined;
  return { status: response.status, id: state?.queued?.id };
}

async function drainServer(ctx: Context, session: AppSession) {
  const { cluster } = ctx;
  const app = cluster.apps[0]!;
  let signalled = 0;
  const request = slowSend(
    ctx,
    session.via(cluster.appUrls[0]!),
    cluster.appUrls[0]!,
    `[topology drain] ${Date.now()}`,
    () => {
      // The request's head and first bytes are in; the rest is still on its way.
      setTimeout(() => {
        cluster.signal(app, "SIGTERM");
        signalled = performance.now();
      }, 300);
    },
  );
  // Meanwhile users keep coming through nginx.
  const others: number[] = [];
  let draining = true;
  const browsing = (async () => {
    while (draining && app.child.exitCode === null && app.child.signalCode === null) {
      const response = await fetch(`${cluster.url}/api/health/ready`).catch(() => undefined);
      others.push(response?.status ?? 0);
      await response?.arrayBuffer();
      await sleep(200);
    }
  })();
  const answer = await request;
  const answeredMs = performance.now() - signalled;
  const exit = await Promise.race([app.exited, sleep(15_000).then(() => undefined)]);
  draining = false;
  await browsing;
  if (!exit) cluster.signal(app, "SIGKILL", "group");
  const [row] = answer.id ? await messageRows(ctx.db, [answer.id]) : [];
  const replacement = cluster.startApp(0);
  await waitForHttp(`${cluster.appUrls[0]}/api/health/ready`, replacement, 120_000);
  const exitMs = exit ? exit.at - signalled : Infinity;
  return {
    ok: answer.status === 200 && Boolean(row) && exitMs <= DRAIN_LIMIT_MS && others.every((status) => status === 200),
    detail:
      `server A: SIGTERM with a send's body still arriving; answered ${answer.status} ${(answeredMs / 1000).toFixed(1)} s later ` +
      `(${row ? `queued, ${row.status}` : "no message"}), exited (${exit ? (exit.signal ?? exit.code) : "still running"}) after ` +
      `${(exitMs / 1000).toFixed(1)} s; nginx answered ${others.filter((status) => status === 200).length} of ${others.length} requests meanwhile with 200`,
  };
}

async function drainWorker(ctx: Context, session: AppSession) {
  const { cluster, db, control } = ctx;
  const [worker, other] = cluster.workers as [Proc, Proc];
  const subject = `[topology worker drain] ${Date.now()}`;
  const id = await sendMessage(ctx, session, subject);
  await makeDue(db, [id], "held");
  let signalled = 0;
  await whileSendHeld(ctx, { id, other, holdMs: HOLD_MS }, async () => {
    cluster.signal(worker, "SIGTERM");
    signalled = performance.now();
  });
  const exit = await Promise.race([worker.exited, sleep(15_000).then(() => undefined)]);
  if (!exit) cluster.signal(worker, "SIGKILL", "group");
  const exitMs = exit ? exit.at - signalled : Infinity;
  const [row] = await waitForMessages(db, [id], "the message settled", settled, 60_000).catch(() =>
    messageRows(db, [id]),
  );
  const copies = (await arrivals(ctx, [subject])).get(subject) ?? 0;
  await control.clearFaults();
  const replacement = cluster.startWorker(0);
  await waitForOutput(replacement, /worker \d+ running on postgresql/, 60_000);
  return {
    ok: exit?.code === 0 && exitMs <= DRAIN_LIMIT_MS && row?.status === "SENT" && copies === 1,
    detail:
      `worker: SIGTERM while Gmail held its send ${HOLD_MS / 1000} s; exited (${exit ? (exit.signal ?? exit.code) : "still running"}) after ` +
      `${(exitMs / 1000).toFixed(1)} s; the message ${row?.status ?? "missing"}, ${copies} cop${copies === 1 ? "y" : "ies"} at Google`,
  };
}

export async function sigtermDrains(ctx: Context): Promise<{ ok: boolean; detail: string }> {
  const session = browser(ctx, 30);
  await signIn(ctx, session, "topology-drain@evergreen.test");
  const server = await drainServer(ctx, session);
  const worker = await drainWorker(ctx, session);
  return { ok: server.ok && worker.ok, detail: `${server.detail}; ${worker.detail}` };
}
