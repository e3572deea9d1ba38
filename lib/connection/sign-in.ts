import { decodeJwt } from "jose";
import { connectionAccountOf, GOOGLE, storedTokensReadable } from "./status";
import { scopeLabels } from "./copy";
import { refreshTokenFingerprints } from "./token-fingerprints";
import type { ConnectionEventKind, ConnectionStatus, StatusReason } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { resumeWaitingMessages, waitingMergeMessageIds } from "../mail/messages";
import {
  canSendMail,
  GoogleGrantError,
  GoogleUnavailableError,
  grantedScopes,
  type RefreshedTokens,
} from "../google/oauth";

/**
 * What each Google sign-in does to the Gmail connection. Auth.js stores tokens only when it first
 * links an account (next-auth #3599), so Evergreen writes them itself, sealed, on every sign-in.
 */

/** What Google returned at the end of an authorization (Auth.js's `account`). */
export type GoogleTokens = {
  providerAccountId: string;
  access_token?: string | null;
  refresh_token?: string | null;
  id_token?: string | null;
  expires_at?: number | null;
  token_type?: string | null;
  scope?: string | null;
};

export type SignInOutcome = {
  accountId: string;
  status: ConnectionStatus;
  reason: StatusReason | null;
  events: ConnectionEventKind[];
};

// The Google address a grant belongs to, from the ID token Google just returned with it.
function emailOf(idToken: string | null | undefined): string | undefined {
  if (!idToken) return undefined;
  try {
    const { email } = decodeJwt(idToken);
    return typeof email === "string" ? email : undefined;
  } catch {
    return undefined;
  }
}

function decide(
  sendAllowed: boolean,
  refreshToken: "new" | "stored" | "unreadable" | "none",
): { status: ConnectionStatus; reason: StatusReason | null } {
  if (!sendAllowed) return { status: "MISSING_SCOPE", reason: "SCOPE_UNTICKED" };
  if (refreshToken === "unreadable") return { status: "NEEDS_RECONNECT", reason: "TOKEN_UNREADABLE" };
  if (refreshToken === "none") return { status: "NEEDS_RECONNECT", reason: "NO_REFRESH_TOKEN" };
  return { status: "CONNECTED", reason: null };
}

const EARLIER_GRANT_KEPT =
  "You reconnected without ticking “Send email on your behalf”; Evergreen kept your earlier access, which can still send.";

/**
 * Whether the stored grant can still send, proven the only way Google allows: a refresh, whose `scope`
 * lists what that grant holds now. `lost` says, in the user's words, why it cannot be kept.
 */
async function checkEarlierGrant(
  accountId: string,
  sealedRefreshToken: string,
  deps: AppDeps,
): Promise<{ kept: RefreshedTokens } | { lost: string }> {
  try {
    const refreshed = await deps.google.refresh(deps.vault.open(sealedRefreshToken, accountId));
    if (canSendMail(refreshed.scope)) return { kept: refreshed };
    return { lost: "Your earlier access could not be kept: Google says it cannot send either." };
  } catch (error) {
    if (error instanceof GoogleGrantError)
      return { lost: "Your earlier access could not be kept: Google no longer accepts it." };
    if (!(error instanceof GoogleUnavailableError))
      console.error(`[evergreen] checking the earlier grant at a sign-in failed: ${(error as Error).message}`);
    return { lost: "Your earlier access could not be kept: Google did not confirm that it still works." };
  }
}

/**
 * Records a completed Google authorization on the account it belongs to: new tokens replace old ones,
 * a refresh token is never replaced by nothing, nor a grant that can send by one that cannot while Google
 * still renews the earlier one, and the status says at once whether Evergreen can send.
 * A new consent also drops any revoke still queued for this Google account: revoking now would end
 * the grant the user just gave. Returns null when the account is not linked yet (Auth.js links it next).
 */
export async function applyGoogleSignIn(
  tokens: GoogleTokens,
  options: { firstLink?: boolean } = {},
  deps: AppDeps = appDeps(),
): Promise<SignInOutcome | null> {
  const { db, vault } = deps;
  const account = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: GOOGLE, providerAccountId: tokens.providerAccountId } },
    select: { id: true, userId: true, status: true, refresh_token: true },
  });
  if (!account) return null;

  const at = deps.now();
  const newRefreshToken = tokens.refresh_token || undefined;
  // A stored refresh token that Google already refused, or that no key opens, is no reason to call the connection healthy.
  const stored =
    !account.refresh_token || account.status === "NEEDS_RECONNECT"
      ? "none"
      : storedTokensReadable(vault, account.id, account.refresh_token)
        ? "stored"
        : "unreadable";
  const sendAllowed = canSendMail(tokens.scope);
  // Unticking “Send email on your behalf” does not take back what an earlier consent granted at Google
  // (google-behavior.md §4.2, §8): a connection that could send keeps doing so while its token still can.
  const earlier =
    !sendAllowed && !options.firstLink && account.status === "CONNECTED" && stored === "stored" && account.refresh_token
      ? await checkEarlierGrant(account.id, account.refresh_token, deps)
      : undefined;
  const kept = earlier && "kept" in earlier ? earlier.kept : undefined;
  const { status, reason } = decide(sendAllowed || kept !== undefined, newRefreshToken && !kept ? "new" : stored);

  const events: Array<{ kind: ConnectionEventKind; detail: string }> = [];
  if (options.firstLink) events.push({ kind: "CONNECTED", detail: "Linked this Google account to Evergreen." });
  else if (status === "CONNECTED" && account.status !== "CONNECTED")
    events.push({ kind: "RECONNECTED", detail: "Gmail access restored." });
  else if (kept) events.push({ kind: "SCOPE_MISSING", detail: EARLIER_GRANT_KEPT });
  else if (status === "CONNECTED") {
    events.push({
      kind: "SIGNED_IN",
      detail: newRefreshToken
        ? "Signed in again; Google issued a new refresh token."
        : "Signed in again; kept the stored refresh token.",
    });
  }
  if (reason === "SCOPE_UNTICKED") {
    events.push({
      kind: "SCOPE_MISSING",
      detail: `“Send email on your behalf” was not ticked at Google, so Evergreen cannot send. Google granted: ${scopeLabels(grantedScopes(tokens.scope)).join(", ") || "nothing"}.${earlier && "lost" in earlier ? ` ${earlier.lost}` : ""}`,
    });
  } else if (reason === "NO_REFRESH_TOKEN") {
    events.push({ kind: "REFRESH_TOKEN_MISSING", detail: "Google returned no refresh token and none was stored." });
  } else if (reason === "TOKEN_UNREADABLE") {
    events.push({
      kind: "CREDENTIALS_UNREADABLE",
      detail: "Google returned no new refresh token and the stored one could not be read.",
    });
  }

  const email = emailOf(tokens.id_token);
  const mergeMessageIds = status === "CONNECTED" ? await waitingMergeMessageIds(db, account.userId) : [];
  await db.$transaction([
    db.account.update({
      where: { id: account.id },
      data: {
        // Kept: the earlier grant's refresh token, consent time and freshly renewed access stay; the narrower
        // grant's tokens are dropped, not revoked (Google's revoke would end the earlier grant too, §7).
        ...(kept
          ? {
              access_token: vault.seal(kept.accessToken, account.id),
              expires_at: kept.expiresAt,
              scope: kept.scope,
              ...(kept.idToken ? { id_token: vault.seal(kept.idToken, account.id) } : {}),
              lastRefreshedAt: at,
              lastUsedAt: at,
            }
          : {
              access_token: tokens.access_token ? vault.seal(tokens.access_token, account.id) : null,
              id_token: tokens.id_token ? vault.seal(tokens.id_token, account.id) : null,
              expires_at: tokens.expires_at ?? null,
              token_type: tokens.token_type ?? null,
              scope: tokens.scope ?? null,
              ...(newRefreshToken
                ? {
                    refresh_token: vault.seal(newRefreshToken, account.id),
                    ...refreshTokenFingerprints(newRefreshToken),
                    consentedAt: at,
                  }
                : {}),
            }),
        ...(email ? { email } : {}),
        status,
        statusReason: reason,
        // Google let the user consent, so a hold for a Google account it had disabled is over.
        ...(status === "CONNECTED" ? { googleDisabledAt: null } : {}),
        refreshProblem: null,
        refreshProblemAt: null,
        ...(status === "CONNECTED" && account.status !== "CONNECTED" && !options.firstLink ? { restoredAt: at } : {}),
        ...(status !== account.status || options.firstLink ? { statusChangedAt: at } : {}),
      },
    }),
    ...(newRefreshToken
      ? [
          db.pendingRevocation.deleteMany({
            where: {
              OR: [
                { providerAccountId: tokens.providerAccountId },
                { providerAccountId: null, userId: account.userId },
              ],
            },
          }),
        ]
      : []),
    db.connectionEvent.createMany({
      data: events.map((event) => ({ ...event, userId: account.userId, accountId: account.id, createdAt: at })),
    }),
    // Mail parked while the connection was broken is due again the moment it works.
    ...(status === "CONNECTED" ? resumeWaitingMessages(db, account.userId, at, mergeMessageIds) : []),
  ]);
  return { accountId: account.id, status, reason, events: events.map((event) => event.kind) };
}

/** Auth.js's linkAccount, without letting it write plaintext tokens: the row first, then the tokens sealed to it. */
export async function linkGoogleAccount(
  account: GoogleTokens & { userId: string; type: string; provider: string },
  deps: AppDeps = appDeps(),
) {
  // A new row cannot send until its tokens are written (the schema's default); if that write fails, the truth is on screen.
  await deps.db.account.create({
    data: {
      userId: account.userId,
      type: account.type,
      provider: account.provider,
      providerAccountId: account.providerAccountId,
    },
  });
  if (account.provider === GOOGLE) await applyGoogleSignIn(account, { firstLink: true }, deps);
}

/**
 * One Google account per Evergreen user. A signed-in user (reconnecting) who comes back from Google
 * with a different account than their connection is refused, and told both addresses and how to
 * switch; after a disconnect the switch is allowed and the old, token-less row makes way.
 */
export async function admitGoogleAccount(
  signedInUserId: string | undefined,
  google: { providerAccountId: string; email?: string | null; token?: string | null },
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!signedInUserId) return true;
  const { db } = deps;
  const [owner, current] = await Promise.all([
    db.account.findUnique({
      where: { provider_providerAccountId: { provider: GOOGLE, providerAccountId: google.providerAccountId } },
      select: { userId: true },
    }),
    db.account.findFirst({
      ...connectionAccountOf(signedInUserId),
      select: { id: true, providerAccountId: true, status: true, email: true, user: { select: { email: true } } },
    }),
  ]);
  if (owner?.userId === signedInUserId || (!owner && !current)) return true;
  if (!owner && current?.status === "DISCONNECTED") {
    await db.account.delete({ where: { id: current.id } });
    return true;
  }
  const connected = current?.email ?? current?.user.email ?? "another Google account";
  const returned = google.email ?? "a different Google account";
  await db.connectionEvent.create({
    data: {
      userId: signedInUserId,
      accountId: current?.id,
      kind: "RECONNECT_REFUSED",
      createdAt: deps.now(),
      // Another user's Google account cannot become this user's connection at all; say so, not "disconnect first".
      detail: owner
        ? `Google returned ${returned}, which another Evergreen user has connected, so it cannot be this account's Gmail connection. Nothing was changed: your Gmail connection is still ${connected}. Reconnect with your own Google account.`
        : `Google returned ${returned}, but your Gmail connection is ${connected}. Evergreen connects one Google account per user, so nothing was changed. To switch accounts, disconnect Gmail first, then connect with ${returned}.`,
    },
  });
  // Nobody in Evergreen holds the refused grant, so it is ended at Google rather than left live; a grant
  // another user holds is theirs (revoking it would end their connection).
  if (!owner && google.token)
    await deps.google
      .revoke(google.token)
      .catch((error) => console.error("[evergreen] revoking a refused grant failed:", error));
  return false;
}
