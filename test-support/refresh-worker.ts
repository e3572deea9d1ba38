import { createInterface } from "node:readline";
import { connectionAccountOf } from "@/lib/connection/status";
import { createDb } from "@/lib/platform/db";
import type { AppDeps } from "@/lib/platform/deps";
import { googleGateway } from "@/lib/google/gateway";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { getAccessToken } from "@/lib/connection/tokens";
import {
  WORKER_CONFIG_VARIABLE,
  type CallResult,
  type RefreshRound,
  type RefreshWorkerWireConfig,
} from "./refresh-workers";

// One process of startRefreshWorker (refresh-workers.ts): its own AppDeps from the config variable,
// "ready" once the database answers, then one JSON line of results per round read from stdin.

const config = JSON.parse(process.env[WORKER_CONFIG_VARIABLE] ?? "null") as RefreshWorkerWireConfig;
const keys = config.keys.map(({ id, key }) => ({ id, key: Buffer.from(key, "base64") }));
const deps: AppDeps = {
  db: createDb(config.database),
  keys,
  vault: createTokenVault(keys),
  google: googleGateway(config.google),
  now: () => new Date(),
  publishingStatus: "production",
  dailySendLimit: 2000,
};

async function refreshNaively(userId: string): Promise<string> {
  const { db, vault } = deps;
  const row = await db.account.findFirstOrThrow({
    ...connectionAccountOf(userId),
    select: { id: true, refresh_token: true },
  });
  const refreshed = await deps.google.refresh(vault.open(row.refresh_token!, row.id));
  await db.account.update({
    where: { id: row.id },
    data: { access_token: vault.seal(refreshed.accessToken, row.id), expires_at: refreshed.expiresAt },
  });
  return refreshed.accessToken;
}

async function call(userId: string, mode: RefreshRound["mode"]): Promise<CallResult> {
  const startedAt = Date.now();
  const started = performance.now();
  try {
    const token = mode === "naive" ? await refreshNaively(userId) : await getAccessToken(userId, deps);
    return { userId, token, startedAt, ms: performance.now() - started };
  } catch (error) {
    return { userId, error: String(error), startedAt, ms: performance.now() - started };
  }
}

async function runRound(round: RefreshRound): Promise<CallResult[]> {
  const wait = (round.startAt ?? 0) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  return Promise.all(
    round.userIds.flatMap((userId) => Array.from({ length: round.callers }, () => call(userId, round.mode))),
  );
}

async function main() {
  await deps.db.account.count();
  process.stdout.write("ready\n");
  for await (const line of createInterface({ input: process.stdin })) {
    process.stdout.write(`${JSON.stringify(await runRound(JSON.parse(line) as RefreshRound))}\n`);
  }
  await deps.db.$disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
