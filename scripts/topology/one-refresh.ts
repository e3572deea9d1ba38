import { browser, makeDue, messageRows, sendMessage, signIn, sleep, waitForMessages, type Context } from "./app-client";
import type { Proc } from "./cluster";

/**
 * Check 4: every process needs a new access token for the same accounts at once, and Google sees one
 * refresh per account. The accounts' tokens are made to look expired in the database (the app's clock
 * decides expiry); the local Google holds each refresh for REFRESH_DELAY_MS so every caller arrives
 * while the first refresh is in flight. Worker 1 claims one message per account (worker 2 paused for
 * that moment); then worker 2 claims the second, and each server runs the sign-in page's action, which
 * refreshes a token not proven within the hour (lib/connection/sign-in-prompt.ts).
 */

const ACCOUNTS = 3;
const REFRESH_DELAY_MS = 8_000;

/** When worker 2 claimed the second messages, and whether worker 1's round (one at a time) still held the first then. */
type Probe = { claimedByWorker2?: number; workerOneBusy?: boolean; refreshed: Map<string, number> };

export async function oneRefreshPerAccount(ctx: Context): Promise<{ ok: boolean; detail: string }> {
  const { cluster, db, control } = ctx;
  const [worker1, worker2] = cluster.workers as [Proc, Proc];
  const people = [];
  for (let n = 1; n <= ACCOUNTS; n++) {
    const email = `topology-refresh-${n}@evergreen.test`;
    const session = browser(ctx, 10 + n);
    await signIn(ctx, session, email);
    const ids: string[] = [];
    for (const which of ["first", "second"]) {
      const id = await sendMessage(ctx, session, `[topology refresh] ${email} ${which}`);
      await makeDue(db, [id], "held");
      ids.push(id);
    }
    people.push({ email, session, ids });
  }
  const firstIds = people.map((person) => person.ids[0]!);
  const secondIds = people.map((person) => person.ids[1]!);
  const { rows: accounts } = await db.query<{ id: string; userId: string }>(
    `SELECT a.id, a."userId" FROM "Account" a JOIN "Message" m ON m."userId" = a."userId" WHERE m.id = ANY($1)`,
    [firstIds],
  );
  await db.query(
    `UPDATE "Account" SET expires_at = extract(epoch FROM now())::int - 60, "lastRefreshedAt" = now() - interval '2 hours'
      WHERE id = ANY($1)`,
    [accounts.map((account) => account.id)],
  );
  const since = new Date((await control.clock()).now).getTime();
  const tokenCallsBefore = (await control.calls()).token ?? 0;
  await control.addFault({ endpoint: "token", delayMs: REFRESH_DELAY_MS, count: ACCOUNTS });

  const started = performance.now();
  const probe: Probe = { refreshed: new Map() };
  let probing = true;
  const watching = (async () => {
    while (probing) {
      const { rows } = await db.query<{ id: string; fresh: boolean }>(
        `SELECT id, "lastRefreshedAt" > now() - interval '1 hour' AS fresh FROM "Account" WHERE id = ANY($1)`,
        [accounts.map((account) => account.id)],
      );
      for (const row of rows)
        if (row.fresh && !probe.refreshed.has(row.id)) probe.refreshed.set(row.id, performance.now() - started);
      if (probe.claimedByWorker2 === undefined) {
        const second = await messageRows(db, secondIds);
        if (second.length === ACCOUNTS && second.every((row) => row.status !== "QUEUED")) {
          probe.claimedByWorker2 = performance.now() - started;
          probe.workerOneBusy = (await messageRows(db, firstIds)).every((row) => row.status === "SENDING");
        }
      }
      await sleep(100);
    }
  })();

  let serverAnswers: Array<{ server: string; ms: number; proven: boolean; status: number }> = [];
  cluster.signal(worker2, "SIGSTOP", "group");
  try {
    await makeDue(db, firstIds, "now");
    const claimed = await waitForMessages(
      db,
      firstIds,
      "worker 1 claiming the first messages",
      (row) => row.status === "SENDING",
      20_000,
    );
    if (new Set(claimed.map((row) => row.leaseId)).size !== 1)
      throw new Error("the first messages were claimed in several rounds");
    cluster.signal(worker2, "SIGCONT", "group");
    await makeDue(db, secondIds, "now");
    const action = ctx.actions.get("signInWithGoogleAction");
    serverAnswers = await Promise.all(
      people.flatMap((person) =>
        cluster.appUrls.map(async (server, index) => {
          const form = new FormData();
          form.append("callbackUrl", "/dashboard");
          const session = person.session.via(server);
          const callStarted = performance.now();
          const answer = await ctx.actions.call(action, {
            baseUrl: server,
            path: "/sign-in",
            origin: cluster.url,
            cookie: session.cookieHeader(),
            headers: session.forwardingHeaders(),
            args: [form],
          });
          const location = answer.redirect ?? answer.headers.get("location") ?? "";
          return {
            server: `server ${index === 0 ? "A" : "B"}`,
            ms: performance.now() - callStarted,
            status: answer.status,
            // Without prompt=consent: the server took the refreshed token as proof the grant works.
            proven: location.startsWith(cluster.emulatorUrl) && !/[?&]prompt=consent\b/.test(location),
          };
        }),
      ),
    );
  } finally {
    cluster.signal(worker2, "SIGCONT", "group");
  }

  const all = [...firstIds, ...secondIds];
  const finals = await waitForMessages(db, all, "the six messages sent", (row) => row.status === "SENT", 90_000).catch(
    () => messageRows(db, all),
  );
  probing = false;
  await watching;
  await control.clearFaults();

  const refreshes = await Promise.all(
    people.map(async (person) => {
      const { accessTokens } = await control.tokensOf(person.email);
      return accessTokens.filter((token) => token.issuedAt !== null && new Date(token.issuedAt).getTime() >= since)
        .length;
    }),
  );
  const tokenCalls = ((await control.calls()).token ?? 0) - tokenCallsBefore;
  const firstRefresh = Math.min(...probe.refreshed.values());
  const workersAlive = [worker1, worker2].every(
    (worker) => worker.child.exitCode === null && worker.child.signalCode === null,
  );
  const workerTwoInTime =
    probe.claimedByWorker2 !== undefined && probe.claimedByWorker2 < firstRefresh && probe.workerOneBusy === true;
  const sent = finals.filter((row) => row.status === "SENT").length;
  const ok =
    refreshes.every((count) => count === 1) &&
    tokenCalls === ACCOUNTS &&
    serverAnswers.length === ACCOUNTS * 2 &&
    serverAnswers.every((answer) => answer.proven) &&
    workerTwoInTime &&
    sent === all.length &&
    workersAlive;
  const slowest = Math.max(...serverAnswers.map((answer) => answer.ms));
  const fastest = Math.min(...serverAnswers.map((answer) => answer.ms));
  return {
    ok,
    detail:
      `${ACCOUNTS} accounts with expired tokens, each refresh held ${REFRESH_DELAY_MS / 1000} s at Google: worker 1 claimed one message per account, ` +
      `worker 2 the second at +${((probe.claimedByWorker2 ?? NaN) / 1000).toFixed(1)} s (worker 1 ${probe.workerOneBusy ? "still holding" : "no longer holding"} the first), both servers ran the sign-in action per account ` +
      `(${serverAnswers.filter((answer) => answer.proven).length} of ${serverAnswers.length} took the refreshed token, in ${(fastest / 1000).toFixed(1)}–${(slowest / 1000).toFixed(1)} s); ` +
      `first refresh landed at +${(firstRefresh / 1000).toFixed(1)} s; refreshes per account at Google: ${refreshes.join(", ")} ` +
      `(${tokenCalls} token calls); ${sent} of ${all.length} messages sent`,
  };
}
