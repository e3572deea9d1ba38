import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { composeSchema } from "@/lib/mail/compose";
import { enqueueMessage, UNDO_WINDOW_MS } from "@/lib/mail/messages";
import type { SoakClock } from "./clock";
import type { SoakAccount } from "./installation";
import { CHILD_CONFIG_VARIABLE, type ChildConfig } from "./outbox-child";

const CHILD = fileURLToPath(new URL("./outbox-child.ts", import.meta.url));
/** Gmail holds the request this long, so the kill lands while it is in flight. */
const GMAIL_HOLD_MS = 4_000;

export type KilledSend = { messageId: string; exitSignal: string };

/**
 * A real worker process sends one message of `account`; Gmail holds the request, and the worker is
 * SIGKILLed once the request has reached Gmail. What happens to the message is then the outbox's
 * business (recoverExpiredLeases, once the lease has run out).
 */
export async function killWorkerMidSend(account: SoakAccount, clock: SoakClock, key: string): Promise<KilledSend> {
  const { deps, control, emulator, database } = account.installation;
  await enqueueMessage(
    account.userId,
    composeSchema.parse({
      to: [`p0.${account.label}@example.test`],
      subject: `Sent by the worker that dies (${account.label})`,
      body: "This one leaves while its worker is killed.",
      idempotencyKey: `killed-worker-${key}`,
    }),
    deps,
  );
  const config: ChildConfig = {
    database,
    googleUrl: emulator.url,
    keys: deps.keys.map(({ id, key: bytes }) => ({ id, key: bytes.toString("base64") })),
    // Past the undo window, before anything else of the hour is due.
    nowMs: clock.now() + UNDO_WINDOW_MS + 1_000,
    publishingStatus: deps.publishingStatus,
  };
  await control.addFault({ endpoint: "gmail.send", mode: "respond", delayMs: GMAIL_HOLD_MS });
  const sendsBefore = (await control.calls())["gmail.send"] ?? 0;
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...process.env, [CHILD_CONFIG_VARIABLE]: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(`${signal ?? code}`)));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    if (line !== "ready") console.error(`soak: the killed worker finished: ${line}`);
  });
  // The request is in flight once Gmail has counted it and not answered (it holds it GMAIL_HOLD_MS).
  const deadline = Date.now() + 30_000;
  while (((await control.calls())["gmail.send"] ?? 0) === sendsBefore) {
    if (Date.now() > deadline) throw new Error("the worker's Gmail request never arrived");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGKILL");
  const signal = await exited;
  if (signal !== "SIGKILL") throw new Error(`the worker ended by itself (${signal}) before the kill`);
  // Gmail finishes the request it holds at this moment of the clock: a real hold is seconds, not the
  // hours the soak's clock would move meanwhile (the access token would have expired under it).
  await new Promise((resolve) => setTimeout(resolve, GMAIL_HOLD_MS + 1_000));
  // The worker claims the earliest due message: this one, or a retry that came due in the same seconds.
  const inFlight = await deps.db.message.findMany({
    where: { status: "SENDING", sendStartedAt: { not: null } },
    select: { id: true },
  });
  if (inFlight.length !== 1) throw new Error(`${inFlight.length} messages in flight after the kill, 1 expected`);
  return { messageId: inFlight[0]!.id, exitSignal: signal };
}
