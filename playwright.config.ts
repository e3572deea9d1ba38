import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { E2E } from "./e2e/e2e-config";
import { dropIdleConnectionsEarly, SERVER_KEEP_ALIVE_MS } from "./test-support/http-keep-alive";

// Debian's Chromium where installed (no browser download is possible here); else Playwright's own.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));

// Every Playwright process loads this file, the workers included: their fetches (headless sign-in,
// server-action calls, the local Google's controls) never reuse a connection the server is closing.
dropIdleConnectionsEarly();

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  // One browser at a time: on two cores the run is CPU-bound (Chromium most of it). Two workers were
  // measured: every test took about twice as long, so the run gained little, and the slowest attack
  // tests came within seconds of their timeouts.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    ...devices["Desktop Chrome"],
    baseURL: E2E.appUrl,
    // A failed test keeps its trace (actions, DOM snapshots, network). Without the screencast: recording
    // screenshots for every passing test cost about 15 % of the run's time.
    trace: { mode: "retain-on-failure", screenshots: false },
    launchOptions: {
      executablePath: systemChromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
      ],
    },
  },
  webServer: [
    {
      command: `npx tsx google-emulator/cli.ts --port ${E2E.emulatorPort} --redirect-uri ${E2E.appUrl}/api/auth/callback/google`,
      url: `${E2E.emulatorUrl}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      stdout: "pipe",
      timeout: 60_000,
    },
    {
      // A production build, as users get it, on its own database file; its log also kept in a file for the leak scan.
      command: `rm -rf ${path.dirname(E2E.databaseFile)} && mkdir -p ${path.dirname(E2E.serverLogFile)} && npx next build && npx next start -p ${E2E.appPort} --keepAliveTimeout ${SERVER_KEEP_ALIVE_MS} 2>&1 | tee ${E2E.serverLogFile}`,
      url: `${E2E.appUrl}/api/health`,
      reuseExistingServer: false,
      stdout: "pipe",
      timeout: 240_000,
      env: E2E.appEnv,
    },
  ],
});
