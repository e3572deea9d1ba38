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
import { OUTBOX_LEASE_SECONDS, waitForOutput, type Proc } from "./cluster";

/**
 * Check 5: a worker SIGKILLed (its whole process group) while Gmail holds its send. The other worker
 * takes the message over when the lease runs out (OUTBOX_LEASE_SECONDS here): the request had left,
 * so by the outbox's rules it becomes UNKNOWN (lib/mail/outbox.ts, recoverExpiredLeases); had it not,
 * it would be requeued and sent. Never a second request to Gmail, never a second copy.
 */

const HOLD_MS = 8_000;

export async function killWorkerMidSend(ctx: Context): Promise<{ ok: boolean; detail: string }> {
  const { cluster, db, control } = ctx;
  const [victim, survivor] = cluster.workers as [Proc, Proc];
  const session = browser(ctx, 20);
  await signIn(ctx, session, "topology-kill@evergreen.test");
  const subject = `[topology kill] ${Date.now()}`;
  const id = await sendMessage(ctx, session, subject);
  await makeDue(db, [id], "held");
  const sendsBefore = (await control.calls())["gmail.send"] ?? 0;
  let killedAt = 0;
  let leftBeforeKill = false;
  // The survivor pauses while the victim claims, so the victim is the one holding the send.
  await whileSendHeld(ctx, { id, other: survivor, holdMs: HOLD_MS }, async () => {
    leftBeforeKill = (await messageRows(db, [id]))[0]?.sendStartedAt !== null;
    cluster.signal(victim, "SIGKILL", "group");
    killedAt = performance.now();
    await victim.exited;
  });

  const [recovered] = await waitForMessages(
    db,
    [id],
    "the survivor taking the message over",
    settled,
    OUTBOX_LEASE_SECONDS * 1000 + 60_000,
  );
  const recoveredMs = performance.now() - killedAt;
  // Past Gmail's held answer, and long enough for a wrong second send to show.
  await sleep(Math.max(0, killedAt + HOLD_MS + 3_000 - performance.now()));
  const [final] = await messageRows(db, [id]);
  const copies = (await arrivals(ctx, [subject])).get(subject) ?? 0;
  const requests = ((await control.calls())["gmail.send"] ?? 0) - sendsBefore;
  await control.clearFaults();

  const replacement = cluster.startWorker(0);
  await waitForOutput(replacement, /worker \d+ running on postgresql/, 60_000);

  const byTheRules = leftBeforeKill ? final?.status === "UNKNOWN" : final?.status === "SENT" && copies === 1;
  const ok = byTheRules && final?.status === recovered?.status && copies <= 1 && requests === 1;
  return {
    ok,
    detail:
      `worker SIGKILLed ${leftBeforeKill ? "after" : "before"} its request left (held ${HOLD_MS / 1000} s at Google); ` +
      `the other worker settled it ${(recoveredMs / 1000).toFixed(1)} s later as ${final?.status ?? "missing"}` +
      `${final?.lastError ? ` ("${final.lastError}")` : ""}; requests to Gmail: ${requests}, copies at Google: ${copies}; a new worker started`,
  };
}
