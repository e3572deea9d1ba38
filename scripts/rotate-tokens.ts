// `npm run tokens:rotate`: re-encrypt every stored Google token with the current key (the first entry
// of TOKEN_ENCRYPTION_KEYS). Run it after putting a new key first; then the old key can be dropped.
import { getDb } from "../lib/platform/db";
import { getEnv } from "../lib/platform/env";
import { rotateTokenEncryption } from "../lib/connection/token-rotation";

async function main() {
  const env = getEnv();
  const report = await rotateTokenEncryption();
  console.log(
    `Re-encrypted ${report.rewritten} token(s) with key "${env.tokenEncryptionKeys[0]!.id}"; ${report.alreadyCurrent} already used it.`,
  );
  if (report.unreadable.length > 0) {
    console.error(
      `Could not decrypt ${report.unreadable.length} value(s) with any configured key:\n  ${report.unreadable.join("\n  ")}`,
    );
    process.exitCode = 1;
  }
  await getDb().$disconnect();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
