import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync, type WriteStream } from "node:fs";
import path from "node:path";
import { DEV_GOOGLE_CLIENT } from "@/lib/google/dev-client";
import { SERVER_KEEP_ALIVE_MS } from "@/test-support/http-keep-alive";
import { startTemporaryPostgres, type TemporaryPostgres } from "@/test-support/postgres-server";

/**
 * What the load test runs against, all started here and all stopped by stop(), also on failure or
 * Ctrl-C: a throwaway PostgreSQL, the local Google, and the production build under `next start`.
 */

export type StackConfig = {
  appPort: number;
  emulatorPort: number;
  logFile: string;
  /** Build even when `.next` holds a build (which is otherwise reused, as the e2e run leaves one). */
  rebuild: boolean;
};

const SOURCES = ["app", "lib", "components", "proxy.ts", "instrumentation.ts", "next.config.js", "package-lock.json"];

/** The newest source file changed after the build in `.next`, if any. */
function newerThanBuild(buildId: string): string | undefined {
  const built = statSync(buildId).mtimeMs;
  const walk = (entry: string): string | undefined => {
    if (!existsSync(entry) || entry.includes("generated")) return undefined;
    const stat = statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs > built && !entry.endsWith(".test.ts") ? entry : undefined;
    for (const child of readdirSync(entry)) {
      const found = walk(path.join(entry, child));
      if (found) return found;
    }
    return undefined;
  };
  for (const source of SOURCES) {
    const found = walk(source);
    if (found) return found;
  }
  return undefined;
}

export type StackInfo = {
  appUrl: string;
  emulatorUrl: string;
  databaseUrl: string;
  postgresVersion: string;
  /** The production server's environment, for scripts run against the same database. */
  appEnv: Record<string, string>;
};

const bin = (name: string) => path.resolve("node_modules", ".bin", name);

// Fixed secrets protect nothing but this throwaway database; they only have to pass lib/platform/env.ts's checks.
const TOKEN_KEY = Buffer.from("evergreen-load-test-token-key-32").toString("base64");

function productionEnv(appUrl: string, emulatorUrl: string, databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    AUTH_URL: appUrl,
    AUTH_SECRET: "load-test-only-auth-secret-4Jx8Qm2Zr7Lp5Wn9Kd3Tb6Vh",
    TOKEN_ENCRYPTION_KEYS: `load:${TOKEN_KEY}`,
    AUTH_GOOGLE_ID: DEV_GOOGLE_CLIENT.id,
    AUTH_GOOGLE_SECRET: DEV_GOOGLE_CLIENT.secret,
    GOOGLE_BASE_URL: emulatorUrl,
    ALLOW_GOOGLE_EMULATOR: "true",
    BACKGROUND_JOBS: "server",
  };
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with code ${child.exitCode} (see the log)`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function run(label: string, command: string, args: string[], env: Record<string, string>, log: WriteStream) {
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: "utf8" });
  log.write(`--- ${label}\n${result.stdout}${result.stderr}`);
  if (result.status !== 0)
    throw new Error(`${label} failed (exit ${result.status}):\n${`${result.stdout}${result.stderr}`.slice(-3000)}`);
}

/** Reuses the build in `.next` (warning when a source changed after it), or builds when asked or when there is none. */
export function ensureBuild(rebuild: boolean, env: Record<string, string>, log: WriteStream): void {
  const buildId = path.join(".next", "BUILD_ID");
  if (rebuild || !existsSync(buildId)) {
    console.log("  building the app (next build)…");
    run("next build", bin("next"), ["build"], env, log);
  } else {
    const changed = newerThanBuild(buildId);
    if (changed)
      console.warn(`  warning: ${changed} changed after the build in .next; pass --build to test the change`);
  }
}

export class Stack {
  readonly appUrl: string;
  readonly emulatorUrl: string;
  private readonly children: ChildProcess[] = [];
  private postgres: TemporaryPostgres | undefined;
  private log: WriteStream | undefined;
  private stopped = false;

  constructor(private readonly config: StackConfig) {
    this.appUrl = `http://localhost:${config.appPort}`;
    this.emulatorUrl = `http://127.0.0.1:${config.emulatorPort}`;
  }

  async start(): Promise<StackInfo> {
    mkdirSync(path.dirname(this.config.logFile), { recursive: true });
    const log = (this.log = createWriteStream(this.config.logFile));
    this.postgres = await startTemporaryPostgres();
    const appEnv = productionEnv(this.appUrl, this.emulatorUrl, this.postgres.url);
    run("db:migrate", bin("tsx"), ["scripts/db-migrate.ts"], appEnv, log);
    ensureBuild(this.config.rebuild, appEnv, log);

    const emulator = this.spawn("emulator", bin("tsx"), [
      "google-emulator/cli.ts",
      "--port",
      String(this.config.emulatorPort),
      "--redirect-uri",
      `${this.appUrl}/api/auth/callback/google`,
    ]);
    const app = this.spawn(
      "app",
      bin("next"),
      ["start", "-p", String(this.config.appPort), "--keepAliveTimeout", String(SERVER_KEEP_ALIVE_MS)],
      appEnv,
    );
    await waitFor(`${this.emulatorUrl}/.well-known/openid-configuration`, emulator, 60_000);
    await waitFor(`${this.appUrl}/api/health`, app, 120_000);
    return {
      appUrl: this.appUrl,
      emulatorUrl: this.emulatorUrl,
      databaseUrl: this.postgres.url,
      postgresVersion: this.postgres.version,
      appEnv,
    };
  }

  /** Synchronous, so it also runs from an exit handler. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of this.children.reverse()) {
      // Each child leads its own process group, so this ends what it started (next's workers) too.
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
    this.postgres?.stop();
    this.log?.end();
  }

  private spawn(label: string, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn(command, args, { env: { ...process.env, ...env }, detached: true, stdio: "pipe" });
    this.children.push(child);
    for (const stream of [child.stdout, child.stderr])
      stream?.on("data", (chunk: Buffer) => this.log?.write(`[${label}] ${chunk.toString()}`));
    return child;
  }
}

/** Stops what a run started when it ends: normally, by failing, or by Ctrl-C or SIGTERM. */
export function stopOnExit(started: { stop(): void }): void {
  process.on("exit", () => started.stop());
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      started.stop();
      process.exit(130);
    });
}

/** Runs a repository script (tsx) against the stack's database, as an operator would. */
export function runScript(stack: StackInfo, script: string, args: string[] = []): string {
  const result = spawnSync(bin("tsx"), [script, ...args], {
    env: { ...process.env, ...stack.appEnv },
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(`${script} failed (exit ${result.status}):\n${`${result.stdout}${result.stderr}`.slice(-3000)}`);
  return result.stdout;
}
