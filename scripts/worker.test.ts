import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, expect, it } from "vitest";

// `npm run worker` exactly as compose.yaml and the Dockerfile run it: npm, then tsx, then the worker.

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function throwawayDatabase(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "evergreen-worker-"));
  folders.push(folder);
  return path.join(folder, "worker.db");
}

type Run = { exitCode: number | null; signal: NodeJS.Signals | null; msAfterSigterm: number; output: string };

/** Starts the worker, waits until it says it runs, sends SIGTERM and reports how it ended. */
function runWorkerUntilSigterm(databaseFile: string, variables: Record<string, string> = {}): Promise<Run> {
  const child = spawn("npm", ["run", "--silent", "worker"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: `file:${databaseFile}`,
      AUTH_SECRET: randomBytes(32).toString("base64"),
      TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      AUTH_GOOGLE_ID: "worker-test.apps.googleusercontent.com",
      AUTH_GOOGLE_SECRET: randomBytes(16).toString("hex"),
      ...variables,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let sentAt = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!sentAt && /worker \d+ running/.test(output)) {
        sentAt = Date.now();
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", (exitCode, signal) =>
      resolve({ exitCode, signal, msAfterSigterm: sentAt ? Date.now() - sentAt : -1, output }),
    );
  });
}

function tablesOf(databaseFile: string): string[] {
  if (!existsSync(databaseFile)) return [];
  const sqlite = new Database(databaseFile, { readonly: true });
  try {
    return sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => (row as { name: string }).name);
  } finally {
    sqlite.close();
  }
}

it("migrates, runs, and on SIGTERM stops claiming, finishes its round and exits with 0 within 10 s", async () => {
  const databaseFile = throwawayDatabase();
  const run = await runWorkerUntilSigterm(databaseFile);
  expect(run.output).toMatch(/worker \d+ stopping after the work in flight/);
  expect(run).toMatchObject({ exitCode: 0, signal: null });
  expect(run.msAfterSigterm).toBeGreaterThanOrEqual(0);
  expect(run.msAfterSigterm).toBeLessThan(10_000);
  expect(tablesOf(databaseFile)).toEqual(expect.arrayContaining(["_prisma_migrations", "Message"]));
}, 60_000);

it("leaves the database alone with MIGRATE_ON_START=false", async () => {
  const databaseFile = throwawayDatabase();
  const run = await runWorkerUntilSigterm(databaseFile, { MIGRATE_ON_START: "false" });
  expect(run).toMatchObject({ exitCode: 0, signal: null });
  expect(tablesOf(databaseFile)).not.toContain("_prisma_migrations");
}, 60_000);
