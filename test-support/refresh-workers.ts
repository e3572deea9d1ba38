import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { EncryptionKey, Env } from "@/lib/platform/env";

/**
 * Separate Node processes that share one database with the test (or benchmark) that starts them, to
 * prove what getAccessToken does across processes. Each builds its own AppDeps from this config,
 * then runs rounds of concurrent calls on command (test-support/refresh-worker.ts).
 */

export type RefreshWorkerConfig = { database: Env["database"]; keys: EncryptionKey[]; google: Env["google"] };

/** The config as it crosses into the worker (an environment variable): keys in base64. */
export type RefreshWorkerWireConfig = Omit<RefreshWorkerConfig, "keys"> & { keys: Array<{ id: string; key: string }> };

/**
 * `callers` concurrent calls for each user, all fired at `startAt` (ms since the epoch; at once if absent).
 * `getAccessToken` is the app's path; `naive` is the baseline without single flight or lease: every
 * caller reads the row, refreshes at Google itself and stores what it got.
 */
export type RefreshRound = {
  userIds: string[];
  callers: number;
  mode: "getAccessToken" | "naive";
  startAt?: number;
};

/** One call: `startedAt` in ms since the epoch, `ms` its wall time. */
export type CallResult = { userId: string; token?: string; error?: string; startedAt: number; ms: number };

export type RefreshWorker = {
  /** Milliseconds from spawn until the worker was ready (tsx loaded, database connected). */
  readonly startupMs: number;
  run(round: RefreshRound): Promise<CallResult[]>;
  /** SIGKILL: no cleanup, no lease released; a round in progress rejects. */
  kill(): Promise<void>;
  close(): Promise<void>;
};

const WORKER = fileURLToPath(new URL("./refresh-worker.ts", import.meta.url));
export const WORKER_CONFIG_VARIABLE = "EVERGREEN_REFRESH_WORKER";
const CLOSE_TIMEOUT_MS = 5_000;

export async function startRefreshWorker(config: RefreshWorkerConfig): Promise<RefreshWorker> {
  const wire: RefreshWorkerWireConfig = {
    ...config,
    keys: config.keys.map(({ id, key }) => ({ id, key: key.toString("base64") })),
  };
  const started = performance.now();
  // node with tsx's loader, not `npx tsx`: that runs the script in a grandchild, which SIGKILL would not reach.
  const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
    env: { ...process.env, [WORKER_CONFIG_VARIABLE]: JSON.stringify(wire) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => resolve(`refresh worker exited (${signal ?? code}): ${stderr}`)),
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const line = await Promise.race([lines.next(), exited.then((reason) => Promise.reject(new Error(reason)))]);
    if (line.done) throw new Error(await exited);
    return line.value;
  };

  const ready = await nextLine().catch((error: unknown) => String(error));
  if (ready !== "ready") {
    child.kill("SIGKILL");
    throw new Error(`refresh worker did not start: ${ready}`);
  }
  const startupMs = performance.now() - started;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    startupMs,
    run(round) {
      const result = queue.then(async () => {
        child.stdin.write(`${JSON.stringify(round)}\n`);
        return JSON.parse(await nextLine()) as CallResult[];
      });
      queue = result.catch(() => undefined);
      return result;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async close() {
      child.stdin.end();
      const timeout = setTimeout(() => child.kill("SIGKILL"), CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timeout);
    },
  };
}
