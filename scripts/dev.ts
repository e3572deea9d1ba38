// `npm run dev`: the local Google (unless real Google credentials are configured) and `next dev`,
// stopped together.
import { spawn } from "node:child_process";
import path from "node:path";
import { DEFAULT_EMULATOR_URL, getEnv } from "../lib/env";
import { startGoogleEmulator } from "../google-emulator/index";

async function main() {
  const env = getEnv();
  const stops: Array<() => Promise<void>> = [];

  if (env.google.baseUrl === DEFAULT_EMULATOR_URL) {
    const emulator = await startGoogleEmulator({
      port: Number(new URL(DEFAULT_EMULATOR_URL).port),
      stateFile: path.join("data", "google-emulator.json"),
    });
    stops.push(() => emulator.close());
    console.log(`[evergreen] local Google at ${emulator.url} · sent mail at ${emulator.url}/__emulator/`);
  } else if (env.google.baseUrl) {
    console.log(`[evergreen] using the Google stand-in at ${env.google.baseUrl}`);
  } else {
    console.log("[evergreen] using real Google (AUTH_GOOGLE_ID is set)");
  }

  const next = spawn("npx", ["next", "dev", ...process.argv.slice(2)], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const stop = async (code: number) => {
    next.kill("SIGTERM");
    await Promise.allSettled(stops.map((close) => close()));
    process.exit(code);
  };
  next.on("exit", (code) => void stop(code ?? 0));
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
