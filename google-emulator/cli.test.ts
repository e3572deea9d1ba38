import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEV_CLIENT } from "./seed";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

describe("npm run emulator", () => {
  it("starts with the dev client and users, prints its URLs, applies flags and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        cli,
        "--port",
        "0",
        "--testing",
        "--redirect-uri",
        "http://localhost:3100/api/auth/callback/google",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1] && output.includes("grace@evergreen.test")) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    expect(output).toContain(`${url}/__emulator/`);
    expect(output).toContain(DEV_CLIENT.id);
    expect(output).toContain("Ada Lovelace <ada@evergreen.test>");
    const { clients } = (await (await fetch(`${url}/__emulator/clients`)).json()) as {
      clients: { id: string; redirectUris: string[]; publishingStatus: string }[];
    };
    expect(clients[0]).toMatchObject({
      id: DEV_CLIENT.id,
      publishingStatus: "testing",
      redirectUris: [...DEV_CLIENT.redirectUris, "http://localhost:3100/api/auth/callback/google"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
