import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";

// Runs the same production build the other specs use, with configuration a hurried deployer might give.
async function startProduction(variables: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn("npx", ["next", "start", "-p", "3101"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      ...variables,
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearTimeout(timer);
  return { code, output };
}

test("production refuses to start with a weak AUTH_SECRET and missing keys, naming each variable and its fix", async () => {
  const { code, output } = await startProduction({
    AUTH_SECRET: "changeme",
    AUTH_GOOGLE_ID: "123.apps.googleusercontent.com",
  });
  expect(code).toBe(1);
  expect(output).toContain("refusing to start");
  expect(output).toContain("AUTH_SECRET: too weak; use at least 32 random characters");
  expect(output).toContain("TOKEN_ENCRYPTION_KEYS: missing");
  expect(output).toContain("AUTH_GOOGLE_SECRET: missing");
});

test("production refuses secrets that are long enough but clearly not random", async () => {
  const { code, output } = await startProduction({
    AUTH_SECRET: "0123456789abcdef0123456789abcdef",
    TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString("base64")}`,
    AUTH_GOOGLE_ID: "123.apps.googleusercontent.com",
    AUTH_GOOGLE_SECRET: "GOCSPX-not-checked-here",
  });
  expect(code).toBe(1);
  expect(output).toContain("AUTH_SECRET: too weak");
  expect(output).toContain(
    'TOKEN_ENCRYPTION_KEYS: key "k1" is not random (all zero bytes); generate one with k1:$(openssl rand -base64 32)',
  );
  expect(output).not.toContain(Buffer.alloc(32).toString("base64"));
});
