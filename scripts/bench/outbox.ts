import { randomBytes } from "node:crypto";
import { EmulatorControl } from "@/google-emulator/control/client";
import { startGoogleEmulator } from "@/google-emulator/index";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { createDb, type Db } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { AppDeps } from "@/lib/platform/deps";
import { googleGateway } from "@/lib/google/gateway";
import { composeSchema } from "@/lib/mail/compose";
import { enqueueMessage } from "@/lib/mail/messages";
import { runOutboxOnce } from "@/lib/mail/outbox";
import { PACING } from "@/lib/mail/pacing";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { benchDatabases } from "./databases";
import { connectedGoogleUser } from "./setup";

/**
 * The send path without Google: validating and storing a message (what the send action does after
 * its session check) at 1, 10 and 50 concurrent users; and the outbox's throughput for one account
 * against the local Google's real per-user quota (15,000 units a minute, 100 a send), 1 and 3 workers.
 */

const CONCURRENCY = [1, 10, 50];
const SAMPLES = 200;
const WORKERS = [1, 3];

export type EnqueueRow = {
  database: string;
  users: number;
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
};
export type ThroughputRow = {
  database: string;
  workers: number;
  sent: number;
  quotaPerMinute: number;
  quotaUsed: number;
  rateLimitErrors: number;
  seconds: number;
  duplicates: number;
};
export type OutboxBenchReport = {
  enqueue: EnqueueRow[];
  throughput: ThroughputRow[];
  postgres?: string;
  skipped: string[];
};

/** The app's dependencies for one emulator; a daily cap high enough that only the minute's pacing shows. */
export function benchDeps(db: Db, keys: AppDeps["keys"], emulatorUrl: string): AppDeps {
  return {
    db,
    keys,
    vault: createTokenVault(keys),
    google: googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: emulatorUrl }),
    now: () => new Date(),
    publishingStatus: "production",
    dailySendLimit: 100_000,
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** A new account at the local Google, connected to a new Evergreen user. */
export const connectedUser = (deps: AppDeps, emulatorUrl: string) =>
  connectedGoogleUser(new EmulatorControl(emulatorUrl), emulatorUrl, deps, {
    email: `bench-${randomBytes(4).toString("hex")}@evergreen.test`,
    name: "Bench Sender",
  });

export const message = (subject: string) =>
  composeSchema.parse({
    to: ["grace@evergreen.test", "alan@evergreen.test"],
    cc: ["team@evergreen.test"],
    subject,
    body: "Hello,\nhere is the offer we discussed: https://example.com/offer\n\nBest,\nAda",
    idempotencyKey: randomBytes(12).toString("hex"),
  });

export async function benchOutbox(
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<OutboxBenchReport> {
  const report: OutboxBenchReport = { enqueue: [], throughput: [], skipped: [] };
  const databases = await benchDatabases("outbox", report, onCleanup);
  for (const database of databases) {
    await migrateDatabase(database);
    const db = createDb(database);
    onCleanup(() => db.$disconnect());
    const keys = [{ id: "bench", key: randomBytes(32) }];

    for (const users of CONCURRENCY) {
      const emulator = await startGoogleEmulator({ port: 0 });
      const deps = benchDeps(db, keys, emulator.url);
      const userIds = await Promise.all(Array.from({ length: users }, () => connectedUser(deps, emulator.url)));
      await emulator.close();
      const times: number[] = [];
      while (times.length < SAMPLES) {
        await Promise.all(
          userIds.map(async (userId) => {
            const started = performance.now();
            await enqueueMessage(userId, message("Offer"), deps);
            times.push(performance.now() - started);
          }),
        );
      }
      times.sort((a, b) => a - b);
      report.enqueue.push({
        database: database.provider,
        users,
        samples: times.length,
        p50Ms: percentile(times, 50),
        p95Ms: percentile(times, 95),
        p99Ms: percentile(times, 99),
      });
      log(`  ${database.provider}: enqueue at ${users} concurrent users measured`);
    }
    // The enqueue rounds' messages must not be sent by the throughput rounds.
    await db.message.deleteMany({});

    for (const workers of WORKERS) {
      const emulator = await startGoogleEmulator({ port: 0 });
      const control = new EmulatorControl(emulator.url);
      const deps = benchDeps(db, keys, emulator.url);
      const userId = await connectedUser(deps, emulator.url);
      const config = await control.config();
      const quotaPerMinute = Math.floor(config.sendUnitsPerMinute / config.sendUnitCost);
      for (let n = 0; n < quotaPerMinute + 20; n++) {
        const { id } = await enqueueMessage(userId, message(`Throughput ${n}`), deps);
        await db.message.update({ where: { id }, data: { nextAttemptAt: new Date(Date.now() - 1_000) } });
      }
      const started = performance.now();
      // Each worker drains until the pacing hold leaves nothing due.
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (;;) {
            const outcomes = await runOutboxOnce(deps, 10);
            if (Object.values(outcomes).every((count) => count === 0)) break;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const sent = await db.message.count({ where: { userId, status: "SENT" } });
      const retried = await db.message.count({ where: { userId, lastError: { contains: "busy" } } });
      const subjects = (await control.messages()).map((sentMessage) => sentMessage.subject);
      report.throughput.push({
        database: database.provider,
        workers,
        sent,
        quotaPerMinute,
        quotaUsed: sent / quotaPerMinute,
        rateLimitErrors: retried,
        seconds,
        duplicates: subjects.length - new Set(subjects).size,
      });
      log(`  ${database.provider}: throughput with ${workers} worker(s) measured`);
      await db.message.deleteMany({ where: { userId } });
      await emulator.close();
    }
  }
  return report;
}

export function formatOutboxTables(report: OutboxBenchReport): string {
  const pad = (value: string | number, width: number) => String(value).padStart(width);
  const lines = [
    "database    users  samples  p50 ms  p95 ms  p99 ms",
    ...report.enqueue.map(
      (row) =>
        `${row.database.padEnd(10)}  ${pad(row.users, 5)}  ${pad(row.samples, 7)}  ${pad(row.p50Ms.toFixed(1), 6)}  ${pad(row.p95Ms.toFixed(1), 6)}  ${pad(row.p99Ms.toFixed(1), 6)}`,
    ),
    "",
    `database    workers  sent  quota/min  quota used  rate-limit errors  duplicates  seconds   (held at ${PACING.holdAt * 100}% of the minute's quota)`,
    ...report.throughput.map(
      (row) =>
        `${row.database.padEnd(10)}  ${pad(row.workers, 7)}  ${pad(row.sent, 4)}  ${pad(row.quotaPerMinute, 9)}  ${pad(`${(row.quotaUsed * 100).toFixed(1)}%`, 10)}  ${pad(row.rateLimitErrors, 17)}  ${pad(row.duplicates, 10)}  ${pad(row.seconds.toFixed(1), 7)}`,
    ),
  ];
  return lines.join("\n");
}
