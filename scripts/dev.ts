// `npm run dev`: the local Google (unless real Google credentials are configured) and `next dev`,
// stopped together.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { startGoogleEmulator } from "../google-emulator/index";
import { registerReceiver, riscReceiverUrl, riscStreamFromEnv } from "../lib/google/risc-stream";
import { DEFAULT_EMULATOR_URL, getEnv, type Env } from "../lib/platform/env";

/** True when a local Google already answers at `url` (say, from `npm run emulator`), so we can share it. */
async function emulatorAlreadyRunning(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1_000) });
    return response.ok && ((await response.json()) as { issuer?: string }).issuer === url;
  } catch {
    return false;
  }
}

async function startLocalGoogle(): Promise<(() => Promise<void>) | undefined> {
  if (await emulatorAlreadyRunning(DEFAULT_EMULATOR_URL)) {
    console.log(`[evergreen] using the local Google already running at ${DEFAULT_EMULATOR_URL}`);
    return undefined;
  }
  try {
    const emulator = await startGoogleEmulator({
      port: Number(new URL(DEFAULT_EMULATOR_URL).port),
      stateFile: path.join("data", "google-emulator.json"),
    });
    console.log(`[evergreen] local Google at ${emulator.url} · sent mail at ${emulator.url}/__emulator/`);
    return () => emulator.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new Error(
      `Port ${new URL(DEFAULT_EMULATOR_URL).port} is taken by another program, so the local Google cannot start. Stop that program and run \`npm run dev\` again.`,
    );
  }
}

/** Points the local Google's security-event stream at this app; a failure costs only the events, so it only warns. */
async function registerSecurityEventReceiver(env: Env) {
  try {
    const receiverUrl = riscReceiverUrl(env);
    await registerReceiver(await riscStreamFromEnv(env), receiverUrl);
    console.log(`[evergreen] the local Google pushes security events to ${receiverUrl}`);
  } catch (error) {
    console.warn(
      `[evergreen] warning: security events not registered with the local Google: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function main() {
  const env = getEnv();
  const stops: Array<() => Promise<void>> = [];

  if (env.google.baseUrl === DEFAULT_EMULATOR_URL) {
    const stop = await startLocalGoogle();
    if (stop) stops.push(stop);
  } else if (env.google.baseUrl) {
    console.log(`[evergreen] using the Google stand-in at ${env.google.baseUrl}`);
  } else {
    console.log("[evergreen] using real Google (AUTH_GOOGLE_ID is set)");
  }

  // Next's own binary in a process group of its own (no npx in between), so a stop reaches its workers too.
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const next = spawn(process.execPath, [nextBin, "dev", ...process.argv.slice(2)], {
    stdio: "inherit",
    detached: true,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      process.kill(-next.pid!, "SIGTERM");
    } catch {
      // The group is already gone.
    }
    await Promise.allSettled(stops.map((close) => close()));
    process.exit(code);
  };
  next.on("exit", (code) => void stop(code ?? 0));
  if (env.google.baseUrl) void registerSecurityEventReceiver(env);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));
}

main().catch((error: unknown) => {
  console.error(`[evergreen] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
