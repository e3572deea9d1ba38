import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEV_GOOGLE_CLIENT } from "@/lib/google/dev-client";
import { startTemporaryPostgres, type TemporaryPostgres } from "@/test-support/postgres-server";
import { readComposeLayout, topologyEnvironment, type ComposeLayout } from "./compose";
import { NGINX_BINARY, writeNginxConfig } from "./nginx";

/**
 * The processes of compose.yaml on loopback: a throwaway PostgreSQL, the local Google, nginx in front
 * of two `npm start` servers of the build in `.next`, and two `npm run worker`. Each process leads its
 * own process group; stop() kills every group, also from an exit handler.
 */

export const PORTS = { nginx: 3400, apps: [3401, 3402], emulator: 4410 } as const;

// Fixed secrets protect nothing but this throwaway database; they only have to pass lib/platform/env.ts's checks.
const SETTINGS = {
  POSTGRES_PASSWORD: "unused-the-topology-starts-its-own-postgres",
  AUTH_SECRET: "topology-only-auth-secret-Vq7Lm3Xz9Kp2Wr5Tn8Bd4Hj6",
  AUTH_GOOGLE_ID: DEV_GOOGLE_CLIENT.id,
  AUTH_GOOGLE_SECRET: DEV_GOOGLE_CLIENT.secret,
  TOKEN_ENCRYPTION_KEYS: `topo:${Buffer.from("evergreen-topology-token-key-32b").toString("base64")}`,
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: Buffer.from("evergreen-topology-actions-key-!").toString("base64"),
};

/** Short enough that a worker killed mid-send is taken over within the run; long enough for any send here. */
export const OUTBOX_LEASE_SECONDS = 15;

export type Proc = {
  label: string;
  child: ChildProcess;
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Everything it printed so far. */
  output: () => string;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Cluster {
  // The public URL (AUTH_URL): localhost, because Next.js names 127.0.0.1 "localhost" in the URLs Auth.js builds.
  readonly url = `http://localhost:${PORTS.nginx}`;
  readonly appUrls = PORTS.apps.map((port) => `http://127.0.0.1:${port}`);
  readonly emulatorUrl = `http://127.0.0.1:${PORTS.emulator}`;
  readonly layout: ComposeLayout;
  readonly apps: Array<Proc | undefined> = [undefined, undefined];
  readonly workers: Array<Proc | undefined> = [undefined, undefined];
  private readonly children: ChildProcess[] = [];
  // Written synchronously, so the last lines before an exit are kept.
  private readonly logFd: number;
  private logOpen = true;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "evergreen-topology-"));
  private postgres: TemporaryPostgres | undefined;
  private stopped = false;

  constructor(logFile: string) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    this.logFd = openSync(logFile, "w");
    this.layout = readComposeLayout({ ...SETTINGS, AUTH_URL: this.url });
  }

  get databaseUrl(): string {
    if (!this.postgres) throw new Error("PostgreSQL has not started");
    return this.postgres.url;
  }

  environment(kind: "app" | "worker"): Record<string, string> {
    return topologyEnvironment(this.layout, kind, {
      databaseUrl: this.databaseUrl,
      emulatorUrl: this.emulatorUrl,
      outboxLeaseSeconds: OUTBOX_LEASE_SECONDS,
    });
  }

  async startPostgres(): Promise<string> {
    this.postgres = await startTemporaryPostgres();
    return this.postgres.version;
  }

  startEmulator(): Proc {
    return this.spawn("google", "npx", [
      "tsx",
      "google-emulator/cli.ts",
      "--port",
      String(PORTS.emulator),
      "--redirect-uri",
      `${this.url}/api/auth/callback/google`,
    ]);
  }

  startNginx(): Proc {
    const config = writeNginxConfig(
      this.dir,
      `127.0.0.1:${PORTS.nginx}`,
      PORTS.apps.map((port) => `127.0.0.1:${port}`),
    );
    return this.spawn("nginx", NGINX_BINARY, [
      "-p",
      this.dir,
      "-c",
      config,
      "-g",
      `daemon off; pid ${path.join(this.dir, "nginx.pid")};`,
    ]);
  }

  /** compose's migrate service: `npm run db:deploy`. */
  startMigrate(label: string): Proc {
    const [command, ...args] = this.layout.migrate;
    return this.spawn(label, command!, args, this.environment("worker"));
  }

  startApp(index: number): Proc {
    const app = this.spawn(
      `app${index + 1}`,
      "npm",
      ["start", "--", "--port", String(PORTS.apps[index]), "--hostname", "127.0.0.1"],
      this.environment("app"),
    );
    this.apps[index] = app;
    return app;
  }

  startWorker(index: number): Proc {
    const [command, ...args] = this.layout.worker;
    const worker = this.spawn(`worker${index + 1}`, command!, args, this.environment("worker"));
    this.workers[index] = worker;
    return worker;
  }

  /** A signal to the process (as Docker's init passes it on), or to its whole group (a crash of everything in it). */
  signal(proc: Proc, signal: NodeJS.Signals, whole: "process" | "group" = "process"): void {
    const pid = proc.child.pid;
    if (!pid) throw new Error(`${proc.label} has no pid`);
    process.kill(whole === "group" ? -pid : pid, signal);
  }

  /** Synchronous, so it also runs from an exit handler. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of this.children.reverse()) {
      if (child.pid && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
    try {
      this.postgres?.stop();
    } finally {
      const nginxErrors = path.join(this.dir, "error.log");
      if (existsSync(nginxErrors)) this.write(`--- nginx's error.log\n${readFileSync(nginxErrors, "utf8")}`);
      rmSync(this.dir, { recursive: true, force: true });
      this.logOpen = false;
      closeSync(this.logFd);
    }
  }

  private write(text: string): void {
    if (this.logOpen) writeSync(this.logFd, text);
  }

  private spawn(label: string, command: string, args: string[], env: Record<string, string> = {}): Proc {
    const child = spawn(command, args, { env: { ...process.env, ...env }, detached: true, stdio: "pipe" });
    this.children.push(child);
    child.on("error", (error) => this.write(`[${label}] could not start: ${error.message}\n`));
    let output = "";
    for (const stream of [child.stdout, child.stderr])
      stream?.on("data", (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        this.write(
          text
            .split("\n")
            .filter(Boolean)
            .map((line) => `${new Date().toISOString().slice(11, 23)} [${label}] ${line}\n`)
            .join(""),
        );
      });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.once("exit", (code, signal) => {
        this.write(`${new Date().toISOString().slice(11, 23)} [${label}] exited (${signal ?? code})\n`);
        resolve({ code, signal, at: performance.now() });
      }),
    );
    return { label, child, exited, output: () => output };
  }
}

/** Polls `probe` until it answers a value, or throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

/** Waits until `url` answers 200, failing early if `proc` exits. */
export async function waitForHttp(url: string, proc: Proc, timeoutMs: number): Promise<void> {
  await waitFor(
    `${proc.label} at ${url}`,
    async () => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null)
        throw new Error(`${proc.label} exited (${proc.child.signalCode ?? proc.child.exitCode}); see the log`);
      const response = await fetch(url).catch(() => undefined);
      await response?.arrayBuffer();
      return response?.ok ? true : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Waits until `proc` printed something matching `pattern`. */
export function waitForOutput(proc: Proc, pattern: RegExp, timeoutMs: number): Promise<true> {
  return waitFor(
    `${proc.label} printing ${pattern}`,
    async () => (pattern.test(proc.output()) ? true : undefined),
    timeoutMs,
  );
}
