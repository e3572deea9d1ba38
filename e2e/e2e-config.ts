import { randomBytes } from "node:crypto";
import path from "node:path";

// One place for the ports and settings the e2e servers and specs share. The app runs as a production
// build against the local Google emulator, explicitly allowed for this purpose.
const appPort = 3100;
const emulatorPort = 4110;
const databaseFile = path.resolve(".e2e", "e2e.db");

export const E2E = {
  appPort,
  appUrl: `http://localhost:${appPort}`,
  emulatorPort,
  emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
  databaseFile,
  appEnv: {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: `file:${databaseFile}`,
    AUTH_URL: `http://localhost:${appPort}`,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    TOKEN_ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString("base64")}`,
    AUTH_GOOGLE_ID: "evergreen-dev.apps.googleusercontent.com",
    AUTH_GOOGLE_SECRET: "evergreen-dev-secret",
    GOOGLE_BASE_URL: `http://127.0.0.1:${emulatorPort}`,
    ALLOW_GOOGLE_EMULATOR: "true",
  },
};
