import { countContacts } from "./contacts";
import { appDeps, type AppDeps } from "../platform/deps";
import { outboxCounts, recentlySent } from "../mail/outbox-view";

const RECENT_ACTIVITY = 5;

/**
 * The dashboard's one query set: the outbox summary, the latest sent messages and the contact count,
 * run at once. The Gmail connection is not here: the page shares the request's read with the layout.
 */
export async function getDashboard(userId: string, deps: AppDeps = appDeps()) {
  const [counts, recent, contactCount] = await Promise.all([
    outboxCounts(userId, deps),
    recentlySent(userId, RECENT_ACTIVITY, deps),
    countContacts(userId, deps),
  ]);
  return { counts, recent, contactCount };
}
