import { tokenIdentifierWhere } from "./token-fingerprints";
import { connectionAccountOf, GOOGLE, NO_STORED_TOKENS, setConnectionStatus, type StatusChange } from "./status";
import { holdMessagesForReconnect, resumeWaitingMessages, waitingMergeMessageIds } from "../mail/messages";
import { isUniqueViolation } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { RISC_EVENT_TYPES } from "../google/risc-stream";
import type { SecurityEventToken } from "../google/risc";

/**
 * What Google's security events do to a Gmail connection (google-risc.md §3.5): a grant Google ended
 * is shown as "Reconnect needed" and its mail held before anything fails; Google's sign-outs end ours;
 * a disabled Google account holds all sending until Google enables it again. Every event is recorded
 * once by its `jti` (a resent one acts once) and every change goes through the one status writer.
 */

type Deps = Pick<AppDeps, "db" | "now">;

export type ReceiveOutcome = { duplicate: true } | { duplicate: false; outcome: string };

const REMOVED_AT_GOOGLE: StatusChange = {
  status: "NEEDS_RECONNECT",
  reason: "REMOVED_AT_GOOGLE",
  event: "GOOGLE_SECURITY_EVENT",
  detail:
    "Google says Evergreen's access to this Gmail account was removed at Google. Sending is held until you reconnect.",
};
const TOKEN_REVOKED_AT_GOOGLE: StatusChange = {
  ...REMOVED_AT_GOOGLE,
  detail:
    "Google says it ended the approval Evergreen was using for this Gmail account. Sending is held until you reconnect.",
};

const DISABLED_REASON_WORDS: Record<string, string> = {
  hijacking: "because it may have been taken over by someone else (hijacking)",
  "bulk-account": "because of activity Google considers abusive (bulk accounts)",
};

export const SECURITY_EVENT_DETAIL = {
  sessionsRevoked: "Google signed this account out everywhere, so Evergreen ended your sessions too.",
  credentialChange:
    "Google asked you to change your Google password or other sign-in credential. Evergreen keeps sending; reconnect if it stops.",
  enabled: "Google enabled this Google account again. Evergreen resumes sending.",
  disabled: (reason: string | null) =>
    `Google disabled this Google account ${reason ? (DISABLED_REASON_WORDS[reason] ?? `(reason: ${reason})`) : "(no reason given)"}. Evergreen ended your sessions and holds all sending until Google enables it again.`,
} as const;

/**
 * Records a verified SET and acts on it, once per `jti`. The record and the action are not one
 * transaction (the status writer has its own), so an action that fails removes the record and throws:
 * the receiver answers 503 and Google's retry acts again. Events about people Evergreen does not know
 * are recorded and change nothing.
 */
export async function receiveSecurityEvent(set: SecurityEventToken, deps: Deps = appDeps()): Promise<ReceiveOutcome> {
  const subject = subjectOf(set.event);
  const state = typeof set.event.state === "string" ? set.event.state.slice(0, 200) : null;
  let recordId: string;
  try {
    ({ id: recordId } = await deps.db.securityEvent.create({
      data: {
        jti: set.jti,
        eventType: set.type.slice(0, 200),
        googleSub: typeof subject.sub === "string" ? subject.sub.slice(0, 255) : null,
        state,
        issuedAt: set.issuedAt,
        receivedAt: deps.now(),
      },
      select: { id: true },
    }));
  } catch (error) {
    if (isUniqueViolation(error)) return { duplicate: true };
    throw error;
  }
  try {
    const outcome = await act(set, subject, deps);
    await deps.db.securityEvent.update({ where: { id: recordId }, data: { outcome } });
    return { duplicate: false, outcome };
  } catch (error) {
    await deps.db.securityEvent.delete({ where: { id: recordId } }).catch(() => undefined);
    throw error;
  }
}

/** Google's shape puts `subject` inside the event; RISC 1.0's `sub_id` is read too, should Google move to it. */
function subjectOf(event: Record<string, unknown>): Record<string, unknown> {
  const subject = event.subject ?? event.sub_id;
  return typeof subject === "object" && subject !== null ? (subject as Record<string, unknown>) : {};
}

async function act(set: SecurityEventToken, subject: Record<string, unknown>, deps: Deps): Promise<string> {
  switch (set.type) {
    case RISC_EVENT_TYPES.tokensRevoked:
      return endGrants(await accountsOfSubject(subject, deps), REMOVED_AT_GOOGLE, set.issuedAt, deps);
    case RISC_EVENT_TYPES.tokenRevoked: {
      const where = tokenIdentifierWhere(subject.token_identifier_alg, subject.token);
      if (!where) return "ignored: the token identifier is not one Evergreen can match";
      const accounts = await deps.db.account.findMany({
        where: { provider: GOOGLE, ...where },
        select: { id: true, userId: true },
      });
      return endGrants(accounts, TOKEN_REVOKED_AT_GOOGLE, null, deps);
    }
    case RISC_EVENT_TYPES.sessionsRevoked:
      return endSessions(await accountsOfSubject(subject, deps), SECURITY_EVENT_DETAIL.sessionsRevoked, deps);
    case RISC_EVENT_TYPES.accountDisabled:
      return disable(await accountsOfSubject(subject, deps), set, deps);
    case RISC_EVENT_TYPES.accountEnabled:
      return enable(await accountsOfSubject(subject, deps), set, deps);
    case RISC_EVENT_TYPES.accountCredentialChangeRequired: {
      const accounts = await accountsOfSubject(subject, deps);
      await recordEvent(accounts, SECURITY_EVENT_DETAIL.credentialChange, deps);
      return outcomeFor(accounts, `noted ${accounts.length} account(s)`);
    }
    case RISC_EVENT_TYPES.verification:
      console.log(
        `[evergreen] Google's security events arrive (verification state ${JSON.stringify(set.event.state)})`,
      );
      return "verification received";
    default:
      return "ignored: an event type Evergreen does not act on";
  }
}

type AccountRef = { id: string; userId: string };

/** The Google connections an `iss-sub` subject names (Account.providerAccountId is Google's `sub`). */
async function accountsOfSubject(subject: Record<string, unknown>, deps: Deps): Promise<AccountRef[]> {
  if (typeof subject.sub !== "string" || !subject.sub) return [];
  return deps.db.account.findMany({
    where: { provider: GOOGLE, providerAccountId: subject.sub },
    select: { id: true, userId: true },
  });
}

/** What an event did, in words for its record: `done`, unless it named no Evergreen account. */
function outcomeFor(accounts: AccountRef[], done: string): string {
  return accounts.length === 0 ? "ignored: no Evergreen account for this Google account" : done;
}

/**
 * The grant is dead at Google: the tokens are wiped (Google's advice), the status says reconnect, and
 * the mail waiting to leave is held as "waiting for reconnect". A `tokens-revoked` issued before the
 * user's latest consent is about the old grant and leaves the new one alone (events can arrive late).
 * A connection the user disconnected stays disconnected.
 */
async function endGrants(accounts: AccountRef[], change: StatusChange, issuedAt: Date | null, deps: Deps) {
  let changed = 0;
  for (const account of accounts) {
    const fence = {
      status: { not: "DISCONNECTED" as const },
      // `iat` has whole seconds: a consent within the event's second counts as before it.
      ...(issuedAt
        ? { OR: [{ consentedAt: null }, { consentedAt: { lt: new Date(issuedAt.getTime() + 1000) } }] }
        : {}),
    };
    const wrote = await setConnectionStatus(account.userId, account.id, change, deps, fence, NO_STORED_TOKENS);
    if (!wrote) continue;
    changed += 1;
    await holdMessagesForReconnect(deps.db, account.userId);
  }
  return outcomeFor(accounts, `reconnect needed for ${changed} of ${accounts.length} account(s)`);
}

async function endSessions(accounts: AccountRef[], detail: string, deps: Deps) {
  for (const userId of new Set(accounts.map((account) => account.userId)))
    await deps.db.session.deleteMany({ where: { userId } });
  await recordEvent(accounts, detail, deps);
  return outcomeFor(accounts, `ended the sessions of ${accounts.length} account(s)`);
}

async function recordEvent(accounts: AccountRef[], detail: string, deps: Deps) {
  if (accounts.length === 0) return;
  const at = deps.now();
  await deps.db.connectionEvent.createMany({
    data: accounts.map((account) => ({
      userId: account.userId,
      accountId: account.id,
      kind: "GOOGLE_SECURITY_EVENT" as const,
      detail,
      createdAt: at,
    })),
  });
}

/**
 * An older disabled/enabled event arriving after a newer one changes nothing (google-risc.md §3.3).
 * `iat` has whole seconds, so two events of one second apply in the order they arrive.
 */
const newerThanApplied = (issuedAt: Date) => ({
  OR: [{ googleAccountEventAt: null }, { googleAccountEventAt: { lte: issuedAt } }],
});

async function disable(accounts: AccountRef[], set: SecurityEventToken, deps: Deps) {
  const reason = typeof set.event.reason === "string" ? set.event.reason.slice(0, 40) : null;
  let changed = 0;
  for (const account of accounts) {
    const { count } = await deps.db.account.updateMany({
      where: { id: account.id, ...newerThanApplied(set.issuedAt) },
      data: {
        googleDisabledAt: deps.now(),
        googleDisabledReason: reason ?? "unspecified",
        googleAccountEventAt: set.issuedAt,
      },
    });
    if (count === 0) continue;
    changed += 1;
    await deps.db.session.deleteMany({ where: { userId: account.userId } });
    // A connection that already needs a reconnect keeps that cause: the reconnect is needed either way.
    const held = await setConnectionStatus(
      account.userId,
      account.id,
      {
        status: "NEEDS_RECONNECT",
        reason: "ACCOUNT_DISABLED",
        event: "GOOGLE_SECURITY_EVENT",
        detail: SECURITY_EVENT_DETAIL.disabled(reason),
      },
      deps,
      { status: { in: ["CONNECTED", "MISSING_SCOPE"] } },
    );
    if (!held) await recordEvent([account], SECURITY_EVENT_DETAIL.disabled(reason), deps);
    await holdMessagesForReconnect(deps.db, account.userId);
  }
  return outcomeFor(accounts, `held ${changed} of ${accounts.length} account(s)`);
}

/**
 * Lifts the hold of account-disabled: a connection held only for that is connected again and its
 * waiting mail resumes as after a reconnect. If its grant died meanwhile, the next renewal says so.
 */
async function enable(accounts: AccountRef[], set: SecurityEventToken, deps: Deps) {
  let lifted = 0;
  for (const account of accounts) {
    const { count } = await deps.db.account.updateMany({
      where: { id: account.id, ...newerThanApplied(set.issuedAt) },
      data: { googleDisabledAt: null, googleAccountEventAt: set.issuedAt },
    });
    if (count === 0) continue;
    const at = deps.now();
    const reconnected = await setConnectionStatus(
      account.userId,
      account.id,
      { status: "CONNECTED", reason: null, event: "GOOGLE_SECURITY_EVENT", detail: SECURITY_EVENT_DETAIL.enabled },
      deps,
      { status: "NEEDS_RECONNECT", statusReason: "ACCOUNT_DISABLED" },
      { restoredAt: at },
    );
    if (!reconnected) {
      await recordEvent([account], SECURITY_EVENT_DETAIL.enabled, deps);
      continue;
    }
    lifted += 1;
    const mergeMessageIds = await waitingMergeMessageIds(deps.db, account.userId);
    await deps.db.$transaction(resumeWaitingMessages(deps.db, account.userId, at, mergeMessageIds));
  }
  return outcomeFor(accounts, `lifted the hold on ${lifted} of ${accounts.length} account(s)`);
}

export const HIJACKING_NOTICE =
  "Google reported that your Google account may have been taken over by someone else, so Evergreen signed you out everywhere and held your email until the account was secured. Check your recent security activity at Google (Google Account → Security).";

/**
 * The hijacking notice, once, on the first page after the user is back (Google enabled the account,
 * or let them sign in again): clears the reason with a conditional update, so one page shows it.
 */
export async function takeHijackingNotice(userId: string, deps: Deps = appDeps()): Promise<boolean> {
  const account = await deps.db.account.findFirst({
    ...connectionAccountOf(userId),
    select: { id: true, googleDisabledAt: true, googleDisabledReason: true },
  });
  if (!account?.googleDisabledReason || account.googleDisabledAt) return false;
  const { count } = await deps.db.account.updateMany({
    where: { id: account.id, googleDisabledAt: null, googleDisabledReason: account.googleDisabledReason },
    data: { googleDisabledReason: null },
  });
  return count === 1 && account.googleDisabledReason === "hijacking";
}

/** When Google's events last arrived (the latest verification), for Settings. */
export async function lastSecurityEventCheck(deps: Deps = appDeps()): Promise<Date | null> {
  const latest = await deps.db.securityEvent.findFirst({
    where: { eventType: RISC_EVENT_TYPES.verification },
    orderBy: { receivedAt: "desc" },
    select: { receivedAt: true },
  });
  return latest?.receivedAt ?? null;
}
