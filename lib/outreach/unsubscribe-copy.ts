// What unsubscribe tells people: the recipient on the link's page, the user in compose and on the
// contact page. Pure strings, so client components can use them too.

/** Compose's warning for one recipient, with the date as the reader's clock shows it. */
export function unsubscribedWarning(email: string, date: string): string {
  return `${email} unsubscribed from your emails on ${date}. Send anyway?`;
}

export const SEND_ANYWAY_REQUIRED =
  "Not sent: an address here unsubscribed from your emails. Tick “Send anyway” to send to it, or remove it.";

export const UNSUBSCRIBE_LINK_ONE_RECIPIENT =
  "An unsubscribe link is for one person: keep one address in To and none in Cc or Bcc.";

export const UNSUBSCRIBE_LINK_NEEDS_AUTH_URL =
  "An unsubscribe link needs the app's public address: ask whoever runs Evergreen to set AUTH_URL.";

export const RESUBSCRIBE_NOTE_REQUIRED =
  "Note: say why they hear from you again, e.g. “They asked to hear from us again by phone”.";

export const RESUBSCRIBE_NOTE_MAX_LENGTH = 500;

/** A date in UTC, for words the server writes without knowing the reader's time zone. */
export function utcDate(at: Date): string {
  return `${new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" }).format(at)} (UTC)`;
}
