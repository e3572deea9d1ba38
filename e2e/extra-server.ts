import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "@playwright/test";
import { SERVER_KEEP_ALIVE_MS } from "../test-support/http-keep-alive";
import { E2E } from "./e2e-config";

export type ExtraServer = {
  url: string;
  /** Its own SQLite file, migrated when the server started. */
  databaseFile: string;
  stop(): Promise<void>;
};

/**
 * A second server from the e2e run's production build, on its own port and database file, for a spec
 * that needs settings or faults the shared server must not see. Ready (its health check answers) when
 * this resolves; `stop()` ends it and deletes its data.
 */
export async function startExtraServer(port: number, env: Record<string, string> = {}): Promise<ExtraServer> {
  const url = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "evergreen-extra-server-"));
  const databaseFile = path.join(dataDir, "app.db");
  const server = spawn(
    process.execPath,
    [
      path.resolve("node_modules/next/dist/bin/next"),
      "start",
      "-p",
      String(port),
      "--keepAliveTimeout",
      String(SERVER_KEEP_ALIVE_MS),
    ],
    {
      env: {
        ...E2E.appEnv,
        NODE_ENV: "production",
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        AUTH_URL: url,
        DATABASE_URL: `file:${databaseFile}`,
        ...env,
      },
      stdio: "ignore",
    },
  );
  const stop = async () => {
    if (server.exitCode === null && server.kill()) await once(server, "exit");
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await expect
      .poll(
        () =>
          fetch(`${url}/api/health`).then(
            (response) => response.status,
            () => 0,
          ),
        { timeout: 30_000 },
      )
      .toBe(200);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, databaseFile, stop };
}
