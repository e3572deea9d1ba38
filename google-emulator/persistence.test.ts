import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmulatorControl } from "./control/client";
import { startGoogleEmulator } from "./index";
import { registerStreamForTests, serviceAccountJwt } from "./risc/register-stream";
import { DEV_USER } from "./seed";
import { connect, oauthClient, TestBrowser } from "./testing";

describe("state file", () => {
  it("keeps refresh tokens and the signing key across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "google-emulator-"));
    const stateFile = join(dir, "state.json");
    try {
      const first = await startGoogleEmulator({ port: 0, stateFile });
      const { tokens } = await connect(first.url);
      const kidBefore = Object.keys((await (await fetch(`${first.url}/oauth2/v1/certs`)).json()) as object);
      await first.close();
      expect(JSON.parse(readFileSync(stateFile, "utf8"))).toMatchObject({ version: 1 });

      const second = await startGoogleEmulator({ port: 0, stateFile });
      try {
        const client = oauthClient(second.url);
        client.setCredentials({ refresh_token: tokens.refresh_token ?? null });
        await expect(client.refreshAccessToken()).resolves.toBeTruthy();
        expect(Object.keys((await (await fetch(`${second.url}/oauth2/v1/certs`)).json()) as object)).toEqual(kidBefore);
        // The consent is remembered too: no consent screen this time.
        const again = await connect(second.url, { browser: new TestBrowser(second.url) });
        expect(again.outcome.screens).toEqual(["chooser"]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("state file and security events", () => {
  it("keeps stream configs and disabled accounts across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "google-emulator-"));
    const stateFile = join(dir, "state.json");
    try {
      const first = await startGoogleEmulator({ port: 0, stateFile });
      await registerStreamForTests(first.url, "https://receiver.example/risc");
      await new EmulatorControl(first.url).disableAccount(DEV_USER.email, "bulk-account");
      await first.close();

      const second = await startGoogleEmulator({ port: 0, stateFile });
      try {
        const response = await fetch(`${second.url}/v1beta/stream`, {
          headers: { Authorization: `Bearer ${await serviceAccountJwt()}` },
        });
        expect(await response.json()).toMatchObject({ delivery: { url: "https://receiver.example/risc" } });
        expect(await fetch(`${second.url}/__emulator/`).then((r) => r.text())).toContain(`class="error">disabled<`);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
