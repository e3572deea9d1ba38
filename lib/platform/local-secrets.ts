import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Secrets that development and test need but nobody should have to invent: generated once,
 * kept in a gitignored file so sessions and encrypted tokens survive restarts. Never used in production.
 */
export type LocalSecrets = {
  authSecret: string;
  tokenEncryptionKey: string;
};

function generate(): LocalSecrets {
  return {
    authSecret: randomBytes(32).toString("base64url"),
    tokenEncryptionKey: randomBytes(32).toString("base64"),
  };
}

export function loadLocalSecrets(file: string): LocalSecrets {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalSecrets>;
    if (stored.authSecret && stored.tokenEncryptionKey) return stored as LocalSecrets;
  }
  const secrets = generate();
  mkdirSync(path.dirname(file), { recursive: true });
  // Two processes (app and worker) may race to create it; write-then-rename keeps the file whole.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  if (!existsSync(file)) renameSync(temporary, file);
  return JSON.parse(readFileSync(file, "utf8")) as LocalSecrets;
}
