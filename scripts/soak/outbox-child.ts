// A worker process for the soak's kill: one outbox pass at a fixed moment of the soak's clock. The
// soak SIGKILLs it while its Gmail request is in flight (scripts/soak/kill-worker.ts).
import { createTokenVault } from "@/lib/connection/token-crypto";
import { runOutboxOnce } from "@/lib/mail/outbox";
import { createDb } from "@/lib/platform/db";
import type { AppDeps } from "@/lib/platform/deps";
import type { Env } from "@/lib/platform/env";
import { SoakClock } from "./clock";
import { soakGateway } from "./installation";

export const CHILD_CONFIG_VARIABLE = "EVERGREEN_SOAK_WORKER";

export type ChildConfig = {
  database: Env["database"];
  googleUrl: string;
  keys: Array<{ id: string; key: string }>;
  nowMs: number;
  publishingStatus: AppDeps["publishingStatus"];
};

async function main() {
  const config = JSON.parse(process.env[CHILD_CONFIG_VARIABLE] ?? "") as ChildConfig;
  const keys = config.keys.map(({ id, key }) => ({ id, key: Buffer.from(key, "base64") }));
  const clock = new SoakClock(config.nowMs);
  const deps: AppDeps = {
    db: createDb(config.database),
    keys,
    vault: createTokenVault(keys),
    google: soakGateway(config.googleUrl, clock),
    now: clock.date,
    publishingStatus: config.publishingStatus,
    dailySendLimit: 2_000,
  };
  await deps.db.user.count();
  process.stdout.write("ready\n");
  const outcomes = await runOutboxOnce(deps, 1);
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
  await deps.db.$disconnect();
}

if (process.env[CHILD_CONFIG_VARIABLE]) void main();
