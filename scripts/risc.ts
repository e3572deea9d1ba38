// `npm run risc -- register | status | verify | disable`: Evergreen's receiver in Google's
// security-event (RISC) stream, with real Google or the local Google, whichever the app uses.
import { getEnv } from "../lib/platform/env";
import {
  describeStream,
  eventShortName,
  registerReceiver,
  riscReceiverUrl,
  riscStreamFromEnv,
  sendVerification,
} from "../lib/google/risc-stream";

const USAGE = `Usage: npm run risc -- <command>

  register  point Google's security-event stream at <AUTH_URL>/api/google/risc, with Evergreen's events, and enable it
  status    show the registered receiver, its events and whether the stream is enabled
  verify    ask Google to push a test event to the receiver
  disable   stop the stream (Google drops, and does not keep, events while it is disabled)`;

const COMMANDS = ["register", "status", "verify", "disable"] as const;
type Command = (typeof COMMANDS)[number];

const names = (uris: string[]) => uris.map(eventShortName).join(", ") || "none";

async function run(command: Command) {
  const env = getEnv();
  const stream = await riscStreamFromEnv(env);

  if (command === "register") {
    const receiverUrl = riscReceiverUrl(env);
    const { config, enabledNow } = await registerReceiver(stream, receiverUrl);
    console.log(`Registered ${receiverUrl} with ${stream.target}; the stream is enabled${enabledNow ? " now" : ""}.`);
    console.log(`Events: ${names(config.events_requested ?? [])}`);
    console.log("Next: npm run risc -- verify");
  } else if (command === "status") {
    const summary = await describeStream(stream);
    if (!summary) {
      console.log(`No receiver is registered with ${stream.target}. Run: npm run risc -- register`);
      return;
    }
    console.log(`Receiver: ${summary.receiverUrl ?? "none"}`);
    console.log(`Events:   ${names(summary.events)}`);
    console.log(`Status:   ${summary.status ?? "unknown"}`);
    const expected = expectedReceiver(env);
    const stale = [
      expected && summary.receiverUrl !== expected ? `This deployment's receiver is ${expected}.` : "",
      summary.missingEvents.length > 0 ? `Not requested: ${names(summary.missingEvents)}.` : "",
      summary.status === "disabled" ? "Google drops events while the stream is disabled." : "",
    ].filter(Boolean);
    if (stale.length > 0) console.log(`${stale.join("\n")}\nRun: npm run risc -- register`);
  } else if (command === "verify") {
    const state = await sendVerification(stream);
    console.log(`Asked ${stream.target} to push a verification event with state ${state}.`);
    console.log(
      "When it arrives, the server log shows that state and Settings shows when Google's events last arrived.",
    );
  } else {
    await stream.updateStatus("disabled");
    console.log(
      `Disabled the stream at ${stream.target}. Google drops (does not buffer) events while it is disabled. Run \`npm run risc -- register\` to enable it again.`,
    );
  }
}

function expectedReceiver(env: ReturnType<typeof getEnv>): string | undefined {
  try {
    return riscReceiverUrl(env);
  } catch {
    return undefined;
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === "help" || command === "--help" || command === "-h") {
  console.log(USAGE);
} else if (!COMMANDS.includes(command as Command) || rest.length > 0) {
  console.error(command ? `Unknown command: ${[command, ...rest].join(" ")}\n\n${USAGE}` : USAGE);
  process.exitCode = 1;
} else {
  run(command as Command).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
