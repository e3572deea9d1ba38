import path from "node:path";
import { DEV_GOOGLE_CLIENT } from "../lib/google/dev-client";

// One place for the ports and settings the e2e servers and specs share. The app runs as a production
// build against the local Google emulator, explicitly allowed for this purpose. The secrets are fixed
// because the runner and its workers each evaluate this file, and specs decrypt what the app stored;
// they protect nothing but this throwaway test database.
const E2E_TOKEN_KEY = Buffer.from("evergreen-e2e-token-key-32-bytes").toString("base64");
const appPort = 3100;
const emulatorPort = 4110;
const databaseFile = path.resolve(".e2e", "e2e.db");
// The app server's stdout and stderr, kept for the leak scan (e2e/attack/leak-scan.spec.ts).
const serverLogFile = path.resolve(".e2e", "app-server.log");

export const E2E = {
  appPort,
  appUrl: `http://localhost:${appPort}`,
  emulatorPort,
  emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
  databaseFile,
  serverLogFile,
  tokenKeys: [{ id: "e2e", key: Buffer.from(E2E_TOKEN_KEY, "base64") }],
  appEnv: {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: `file:${databaseFile}`,
    AUTH_URL: `http://localhost:${appPort}`,
    AUTH_SECRET: "e2e-only-auth-secret-9f3Kq7Zx2Lm8Vb4Nc6Rt1Yw5Hs0Ue",
    TOKEN_ENCRYPTION_KEYS: `e2e:${E2E_TOKEN_KEY}`,
    AUTH_GOOGLE_ID: DEV_GOOGLE_CLIENT.id,
    AUTH_GOOGLE_SECRET: DEV_GOOGLE_CLIENT.secret,
    GOOGLE_BASE_URL: `http://127.0.0.1:${emulatorPort}`,
    ALLOW_GOOGLE_EMULATOR: "true",
    CRON_SECRET: "e2e-only-cron-secret-Qw7Lp2Xc9Vb4Nm6Zr1Ty8Ks3",
    // Every browser sign-in of the run comes from this machine's one address; specs sign in often.
    SIGN_IN_RATE_LIMIT_PER_10_MINUTES: "200",
    SEND_RATE_LIMIT_PER_MINUTE: "30",
  },
};
