import type { FaultInput } from "@/google-emulator/control/client";
import { createSequence, enrolContacts } from "@/lib/outreach/sequences";
import { parseSequence } from "@/lib/outreach/sequence-rules";
import { prepareMerge, saveMergeMessage, startMerge } from "@/lib/outreach/merges";
import { composeSchema } from "@/lib/mail/compose";
import { enqueueMessage } from "@/lib/mail/messages";
import type { SoakClock } from "./clock";
import { addContacts, consentElsewhere, type SoakAccount } from "./installation";
import type { Ledger } from "./ledger";
import type { SoakRandom } from "./settings";

/** What the simulated users and Google do: compose, merge, enrol, and end grants. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The day's one-to-one email, each scheduled for a moment of the next 24 hours. */
export async function composeDay(
  account: SoakAccount,
  count: number,
  random: SoakRandom,
  clock: SoakClock,
  ledger: Ledger,
) {
  const { deps } = account.installation;
  for (let n = 0; n < count; n++) {
    const sendAt = clock.now() + 2 * MINUTE + random.int(24 * 60 - 3) * MINUTE;
    const contact = random.int(account.contactIds.length);
    const message = composeSchema.parse({
      to: [`p${contact}.${account.label}@example.test`],
      subject: `Note ${ledger.scheduled.length + 1} from ${account.label}`,
      body: `Hello,\nthis is one-to-one email number ${ledger.scheduled.length + 1}.\n\nBest`,
      idempotencyKey: `soak-${account.label}-${ledger.scheduled.length + 1}-${random.int(1e9)}`,
      sendAt: new Date(sendAt),
    });
    const { id } = await enqueueMessage(account.userId, message, deps);
    ledger.scheduled.push({ account, id, sendAt });
  }
}

const SEQUENCE_FORM = {
  name: "Soak follow-up",
  timeZone: "UTC",
  days: ["0", "1", "2", "3", "4", "5", "6"],
  from: "0:00",
  to: "24:00",
  steps: [
    {
      subject: "Hello {{first_name | there}}",
      body: "Hi {{first_name | there}}, a first note.",
      delay: "",
      business: "",
    },
    { subject: "", body: "A second note, two days on.", delay: "2", business: "" },
  ],
};

export async function startSequence(account: SoakAccount): Promise<string> {
  const { deps } = account.installation;
  const { id } = await createSequence(account.userId, parseSequence(SEQUENCE_FORM), deps);
  return id;
}

/** New contacts arrive and join the account's sequence. */
export async function enrolWave(account: SoakAccount, sequenceId: string, wave: number) {
  const { deps } = account.installation;
  const ids = await addContacts(deps, account.userId, account.label, 100 + wave * 3, 3);
  account.contactIds.push(...ids);
  return enrolContacts(account.userId, sequenceId, { contactIds: ids }, deps);
}

export async function runMerge(account: SoakAccount, n: number) {
  const { deps } = account.installation;
  const { id } = await prepareMerge(account.userId, { kind: "selected", contactIds: account.contactIds }, deps);
  await saveMergeMessage(
    account.userId,
    id,
    {
      name: `Soak merge ${n}`,
      subject: "News for {{first_name | there}}",
      body: "Hi {{first_name | there}}, our news.",
    },
    deps,
  );
  return startMerge(account.userId, id, deps);
}

export type GoogleEventKind = "revoked" | "password" | "evicted";

/**
 * Google ends the grant Evergreen holds: the user removes the app, changes their password, or the same
 * client consents 100 more times elsewhere. Without the event, Google's security event is dropped.
 */
export async function endGrantAtGoogle(
  kind: GoogleEventKind,
  account: SoakAccount,
  withEvent: boolean,
  clock: SoakClock,
) {
  const { control } = account.installation;
  if (!withEvent) await control.riscFault({ kind: "drop", count: 1_000 });
  try {
    if (kind === "revoked") await control.revokeAccess(account.email);
    else if (kind === "password") await control.passwordChange(account.email);
    else for (let n = 0; n < 100; n++) await consentElsewhere(account, clock);
  } finally {
    if (!withEvent) await control.riscClearFaults();
  }
}

/** One of Google's failures for the next send or token call. */
export function randomFault(endpoint: "gmail.send" | "token", random: SoakRandom): FaultInput {
  const roll = random.next();
  if (endpoint === "gmail.send") {
    if (roll < 0.4) return { endpoint, status: random.pick([500, 502, 503]) };
    if (roll < 0.8) return { endpoint, status: 429 };
    return { endpoint, mode: "drop-after" };
  }
  if (roll < 0.5) return { endpoint, status: 503 };
  if (roll < 0.7) return { endpoint, status: 429 };
  if (roll < 0.85) return { endpoint, mode: "drop-before" };
  return { endpoint, mode: "drop-after" };
}

export const TIMEOUT_FAULT: FaultInput = { endpoint: "token", mode: "respond", delayMs: 10_500 };
export { HOUR };
