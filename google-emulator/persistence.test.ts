import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startGoogleEmulator } from "./index";
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
