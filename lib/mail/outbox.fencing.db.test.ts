import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { composeSchema } from "./compose";
import { enqueueMessage, UNDO_WINDOW_MS } from "./messages";
import { claimDueMessages, OUTBOX, runOutboxOnce, sendClaimedMessage } from "./outbox";
import { linkGoogleAccount } from "../connection/sign-in";

// Two workers and one message, against the local Google: a worker whose lease ran out while it waited
// (for a token, for Gmail) never sends what another worker took over. Counted at the local Google.

const google = setupEmulator();
const test = setupTestDatabase();
let userId: string;
let run = 0;

/** Worker A's clock starts past the undo window; worker B's runs past A's lease. */
const A_OFFSET_MS = UNDO_WINDOW_MS + 1_000;
const B_OFFSET_MS = A_OFFSET_MS + OUTBOX.leaseMs + 1_000;

/** One worker: the app's code talking to this file's local Google, on its own clock. */
function worker(offsetMs: number, gateway = googleGateway(googleConfig())): AppDeps {
  return { ...test.deps, google: gateway, now: () => new Date(Date.now() + offsetMs) };
}
const googleConfig = () => ({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });

/** A gateway that says when this worker's call reaches Google, so the other worker can act meanwhile. */
function watchedGateway() {
  const real = googleGateway(googleConfig());
  let refreshing!: () => void;
  let sending!: () => void;
  const started = {
    refresh: new Promise<void>((resolve) => (refreshing = resolve)),
    send: new Promise<void>((resolve) => (sending = resolve)),
  };
  const gateway: AppDeps["google"] = {
    ...real,
    refresh: (token) => (refreshing(), real.refresh(token)),
    send: (token, message) => (sending(), real.send(token, message)),
  };
  return { gateway, started };
}

beforeEach(async () => {
  run += 1;
  userId = (await test.db.user.create({ data: { email: `fencing${run}@evergreen.test`, name: "Ada" } })).id;
  const { tokens } = await connect(google.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: `${DEV_USER.sub}-fencing-${run}`,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId,
      type: "oidc",
      provider: "google",
    },
    worker(0),
  );
});

async function queue(subject: string) {
  const input = composeSchema.parse({
    to: ["grace@evergreen.test"],
    subject,
    body: "Hi Grace",
    idempotencyKey: randomBytes(12).toString("hex"),
  });
  return enqueueMessage(userId, input, worker(0));
}

const arrived = async () => (await google.control.messages()).map((message) => message.subject);
const messageRow = (id: string) => test.db.message.findUniqueOrThrow({ where: { id } });
const expireAccessToken = () => test.db.account.updateMany({ where: { userId }, data: { expires_at: 0 } });

describe("a worker whose lease runs out before its request leaves", () => {
  it("sends nothing while its token refresh is slow, and the worker that took over sends the message once", async () => {
    const message = await queue("Slow token");
    await expireAccessToken();
    // Google's token endpoint takes 3 s to answer A's refresh.
    await google.control.addFault({ endpoint: "token", count: 1, delayMs: 3_000 });
    const a = watchedGateway();
    const workerA = worker(A_OFFSET_MS, a.gateway);
    const claim = await claimDueMessages(OUTBOX.batch, workerA);
    expect(claim.ids).toEqual([message.id]);

    const outcomeA = sendClaimedMessage(message.id, claim.leaseId, workerA);
    await a.started.refresh;
    // Meanwhile worker B's clock is past A's lease: it frees the message, claims it and sends it.
    const outcomesB = await runOutboxOnce(worker(B_OFFSET_MS));

    expect(outcomesB.sent).toBe(1);
    expect(await outcomeA).toBe("lost-lease");
    expect(await arrived()).toEqual(["Slow token"]);
    expect(await messageRow(message.id)).toMatchObject({ status: "SENT", leaseId: null });
  });

  it("sends nothing when its turn in the batch comes after the batch's lease ran out", async () => {
    const first = await queue("First of the batch");
    const last = await queue("Last of the batch");
    const claim = await claimDueMessages(OUTBOX.batch, worker(A_OFFSET_MS));
    expect(claim.ids).toHaveLength(2);

    // The first message's turn comes in time; the last one's comes after the lease it was claimed with.
    expect(await sendClaimedMessage(first.id, claim.leaseId, worker(A_OFFSET_MS))).toBe("sent");
    expect(await sendClaimedMessage(last.id, claim.leaseId, worker(B_OFFSET_MS))).toBe("lost-lease");
    expect(await messageRow(last.id)).toMatchObject({ status: "SENDING", sendStartedAt: null });

    // The lease it never used frees the message for the next worker, which sends it once.
    expect((await runOutboxOnce(worker(B_OFFSET_MS + 1_000))).sent).toBe(1);
    expect((await arrived()).sort()).toEqual(["First of the batch", "Last of the batch"]);
  });
});

describe("a worker whose lease runs out after its request left", () => {
  it("leaves the message UNKNOWN to the other worker, and Gmail's late answer settles it as SENT, sent once", async () => {
    const message = await queue("Slow send, answered");
    await google.control.addFault({ endpoint: "gmail.send", count: 1, delayMs: 3_000 });
    const a = watchedGateway();
    const workerA = worker(A_OFFSET_MS, a.gateway);
    const claim = await claimDueMessages(OUTBOX.batch, workerA);
    const outcomeA = sendClaimedMessage(message.id, claim.leaseId, workerA);
    await a.started.send;

    const outcomesB = await runOutboxOnce(worker(B_OFFSET_MS));
    expect(outcomesB.sent).toBe(0);
    expect(await messageRow(message.id)).toMatchObject({ status: "UNKNOWN", leaseId: null });

    expect(await outcomeA).toBe("sent");
    expect(await messageRow(message.id)).toMatchObject({ status: "SENT", gmailMessageId: expect.any(String) });
    expect(await arrived()).toEqual(["Slow send, answered"]);
  });

  it("stays UNKNOWN when Gmail's answer never comes, and no worker sends it again", async () => {
    const message = await queue("Slow send, never answered");
    // Gmail takes the message after 3 s, then drops the connection without answering.
    await google.control.addFault({ endpoint: "gmail.send", count: 1, delayMs: 3_000, mode: "drop-after" });
    const a = watchedGateway();
    const workerA = worker(A_OFFSET_MS, a.gateway);
    const claim = await claimDueMessages(OUTBOX.batch, workerA);
    const outcomeA = sendClaimedMessage(message.id, claim.leaseId, workerA);
    await a.started.send;

    expect((await runOutboxOnce(worker(B_OFFSET_MS))).sent).toBe(0);
    // A's own record of the lost answer finds the message already UNKNOWN, taken from it.
    expect(await outcomeA).toBe("lost-lease");
    expect((await runOutboxOnce(worker(B_OFFSET_MS + 60_000))).sent).toBe(0);

    expect(await messageRow(message.id)).toMatchObject({ status: "UNKNOWN", gmailMessageId: null });
    expect(await arrived()).toEqual(["Slow send, never answered"]);
  });
});
