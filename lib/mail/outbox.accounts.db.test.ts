import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import { setupTestDatabase } from "@/test-support/test-deps";
import type { AppDeps } from "../platform/deps";
import { googleGateway } from "../google/gateway";
import { linkGoogleAccount } from "../connection/sign-in";
import { composeSchema } from "./compose";
import { enqueueMessage, UNDO_WINDOW_MS } from "./messages";
import { drainOutbox, OUTBOX, runOutboxOnce } from "./outbox";

// A worker waits on Gmail most of a send, so it sends for several accounts at once; one account's
// messages still leave one after another, in order, and never faster than the account's pace.

const google = setupEmulator();
const test = setupTestDatabase();
let accounts = 0;

async function connectedUser(): Promise<string> {
  accounts += 1;
  const email = `lane${accounts}@evergreen.test`;
  const { sub } = await google.control.addUser({ email });
  const { tokens } = await connect(google.url, { prompt: "consent", account: email });
  const { id } = await test.db.user.create({ data: { email, name: `Sender ${accounts}` } });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: sub,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId: id,
      type: "oidc",
      provider: "google",
    },
    { ...test.deps, now: () => new Date() },
  );
  return id;
}

/** The app past the undo window, talking to the local Google, with every send's start and end noted per account. */
function watchedApp(overrides: Partial<AppDeps> = {}) {
  const inFlight = new Map<string, number>();
  const seen = { most: 0, mostForOneAccount: 0, order: [] as string[] };
  const gateway = googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });
  const deps: AppDeps = {
    ...test.deps,
    now: () => new Date(Date.now() + UNDO_WINDOW_MS + 1_000),
    ...overrides,
    google: {
      ...gateway,
      async send(token, message) {
        const subject = /^Subject: (.*)$/m.exec(message.raw.toString("utf8"))![1]!;
        const account = subject.split(" ")[0]!;
        inFlight.set(account, (inFlight.get(account) ?? 0) + 1);
        const total = [...inFlight.values()].reduce((sum, n) => sum + n, 0);
        seen.most = Math.max(seen.most, total);
        seen.mostForOneAccount = Math.max(seen.mostForOneAccount, inFlight.get(account)!);
        seen.order.push(subject);
        try {
          return await gateway.send(token, message);
        } finally {
          inFlight.set(account, inFlight.get(account)! - 1);
        }
      },
    },
  };
  return { deps, seen };
}

const compose = (subject: string) =>
  composeSchema.parse({
    to: ["grace@evergreen.test"],
    cc: [],
    bcc: [],
    subject,
    body: "Hi Grace,\nlet's talk.",
    idempotencyKey: randomBytes(12).toString("hex"),
  });

describe("one outbox round across accounts", () => {
  it("sends for several accounts at once, each account's messages one at a time and in order", async () => {
    await google.control.configure({ sendLatencyMs: 200 });
    const users = [await connectedUser(), await connectedUser(), await connectedUser()];
    const { deps, seen } = watchedApp();
    for (const n of [1, 2, 3])
      for (const [a, userId] of users.entries()) await enqueueMessage(userId, compose(`A${a} message ${n}`), test.deps);

    expect(await runOutboxOnce(deps)).toMatchObject({ sent: 9, "lost-lease": 0 });

    expect(seen.most).toBe(3);
    expect(seen.mostForOneAccount).toBe(1);
    for (const a of [0, 1, 2])
      expect(seen.order.filter((subject) => subject.startsWith(`A${a} `))).toEqual([
        `A${a} message 1`,
        `A${a} message 2`,
        `A${a} message 3`,
      ]);
    const arrived = (await google.control.messages()).map((message) => message.subject);
    expect(arrived).toHaveLength(9);
    expect(new Set(arrived).size).toBe(9);
  });

  it("keeps each account to its pace (GMAIL_SENDS_PER_MINUTE), holding only what is over it", async () => {
    const [first, second] = [await connectedUser(), await connectedUser()];
    const { deps } = watchedApp({ sendsPerMinute: 2 });
    for (const n of [1, 2, 3]) {
      await enqueueMessage(first, compose(`First ${n}`), test.deps);
      await enqueueMessage(second, compose(`Second ${n}`), test.deps);
    }
    // Two a minute is held at 95%: the second send of each account waits for the first to leave the minute.
    const outcomes = await runOutboxOnce(deps);
    expect(outcomes).toMatchObject({ sent: 4, paced: 2 });
    for (const userId of [first, second]) {
      const held = await test.db.message.findMany({ where: { userId, status: "QUEUED" } });
      expect(held).toHaveLength(1);
      expect(held[0]!.lastError).toMatch(/sending limit/);
    }
  });

  it("lets a send that breaks cost only its own message: the other accounts' messages go out", async () => {
    const [broken, fine] = [await connectedUser(), await connectedUser()];
    const { deps } = watchedApp();
    const failing: AppDeps = {
      ...deps,
      google: {
        ...deps.google,
        async send(token, message) {
          if (message.raw.toString("utf8").includes("Subject: Broken")) throw new TypeError("a bug in the gateway");
          return deps.google.send(token, message);
        },
      },
    };
    await enqueueMessage(broken, compose("Broken 1"), test.deps);
    for (const n of [1, 2, 3]) await enqueueMessage(fine, compose(`Fine ${n}`), test.deps);

    const round = await runOutboxOnce(failing);
    // A bug is no answer from Gmail: that message becomes UNKNOWN for its user, the other account's go out.
    expect(round).toMatchObject({ sent: 3, unknown: 1 });
    expect(await test.db.message.count({ where: { userId: fine, status: "SENT" } })).toBe(3);
    expect((await test.db.message.findFirstOrThrow({ where: { userId: broken } })).status).toBe("UNKNOWN");
  });

  it("goes on with round after round in one turn while each claims a full batch", async () => {
    const users = [await connectedUser(), await connectedUser(), await connectedUser()];
    const { deps } = watchedApp();
    const backlog = OUTBOX.batch + 5;
    for (let n = 0; n < backlog; n++) await enqueueMessage(users[n % 3]!, compose(`Backlog ${n}`), test.deps);

    // One round takes a batch; the turn takes the rest at once instead of a second later.
    expect(await drainOutbox(deps)).toMatchObject({ sent: backlog, "lost-lease": 0 });
    expect(await drainOutbox(deps)).toMatchObject({ sent: 0 });
    expect(await google.control.messages()).toHaveLength(backlog);
  });
});
