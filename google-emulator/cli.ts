import { parseArgs } from "node:util";
import { startGoogleEmulator } from "./index";
import { DEV_CLIENT, seedUsers } from "./seed";

const USAGE = `Usage: npm run emulator -- [--port 4010] [--host 127.0.0.1] [--redirect-uri URI]... [--state-file PATH] [--testing]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "redirect-uri": { type: "string", multiple: true },
      "state-file": { type: "string" },
      testing: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? process.env.GOOGLE_EMULATOR_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`Invalid port: ${values.port ?? process.env.GOOGLE_EMULATOR_PORT}`);

  const emulator = await startGoogleEmulator({
    port,
    ...(values.host ? { host: values.host } : {}),
    ...(values["state-file"] ? { stateFile: values["state-file"] } : {}),
    devClient: {
      extraRedirectUris: values["redirect-uri"] ?? [],
      publishingStatus: values.testing ? "testing" : "production",
    },
  });

  console.log(`Google emulator listening on ${emulator.url}`);
  console.log(`  Mailbox:   ${emulator.url}/__emulator/`);
  console.log(`  Discovery: ${emulator.url}/.well-known/openid-configuration`);
  console.log(
    `  Client:    ${DEV_CLIENT.id} (secret ${DEV_CLIENT.secret}, ${values.testing ? "testing" : "production"})`,
  );
  for (const user of seedUsers()) console.log(`  User:      ${user.name} <${user.email}>`);
  if (values["state-file"]) console.log(`  State:     ${values["state-file"]}`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: stopping Google emulator`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
