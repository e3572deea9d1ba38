import { appDeps, type AppDeps } from "../platform/deps";
import { recipientAddress } from "./email-address";

/** The compose form's recipient suggestions: a read of what the user sent and the contacts they keep. */

const RECENT_MESSAGES = 200;
const MAX_SUGGESTIONS = 100;

/** Addresses the user has sent to, most recent first, each once: the compose form's suggestions. */
export type RecipientSuggestion = { address: string; name: string };

const MAX_CONTACT_SUGGESTIONS = 500;

/**
 * What compose offers as the user types: addresses recently sent to, then the user's contacts (by
 * name, up to 500) with their names, each address once. The browser's list filters them as one types.
 */
export async function recipientSuggestions(userId: string, deps: AppDeps = appDeps()): Promise<RecipientSuggestion[]> {
  const [recent, contacts] = await Promise.all([
    recentRecipients(userId, deps),
    deps.db.contact.findMany({
      where: { userId },
      orderBy: { searchText: "asc" },
      take: MAX_CONTACT_SUGGESTIONS,
      select: { email: true, name: true },
    }),
  ]);
  const names = new Map(contacts.map((contact) => [contact.email, contact.name]));
  const suggestions = new Map<string, RecipientSuggestion>();
  for (const address of recent) suggestions.set(address, { address, name: names.get(address) ?? "" });
  for (const { email, name } of contacts) if (!suggestions.has(email)) suggestions.set(email, { address: email, name });
  return [...suggestions.values()];
}

export async function recentRecipients(userId: string, deps: AppDeps = appDeps()): Promise<string[]> {
  const messages = await deps.db.message.findMany({
    where: { userId, status: "SENT" },
    orderBy: [{ sentAt: "desc" }, { id: "desc" }],
    take: RECENT_MESSAGES,
    select: { to: true, cc: true, bcc: true },
  });
  const addresses = new Set<string>();
  for (const message of messages) {
    for (const list of [message.to, message.cc, message.bcc]) {
      if (!Array.isArray(list)) continue;
      for (const recipient of list) if (typeof recipient === "string") addresses.add(recipientAddress(recipient));
    }
  }
  return [...addresses].slice(0, MAX_SUGGESTIONS);
}
