import type { ConnectionView, RefreshProblemView, RestoredNotice } from "./status";
import type { ConnectionEventKind, ConnectionStatus, StatusReason } from "../platform/db";
import { GMAIL_METADATA_SCOPE, GMAIL_SEND_SCOPE } from "../google/oauth";
import type { DisconnectOutcome } from "./revocation";

// Every status, cause, event and outcome of the Gmail connection in the words the UI shows.

/** The connection's state in the words a salesperson reads: what happened, and what fixes it, by whom. */
export type StatusCopy = {
  tone: "ok" | "warning" | "error" | "off";
  title: string;
  /** What is true now, and why. */
  cause: string;
  /** What fixes it; absent when nothing needs fixing. */
  fix?: string;
  /** The one button that fixes it, when the user can. */
  action?: "reconnect" | "connect";
};

// The consent-screen label of gmail.send, as Google shows it.
export const SEND_SCOPE_LABEL = "Send email on your behalf";
/** Google's words on its consent screen for gmail.metadata (reply detection's opt-in). */
export const METADATA_SCOPE_LABEL =
  "View your email message metadata such as labels and headers, but not the email body";

/**
 * The connection's status in plain words. A renewal refused because of the server's own configuration
 * is the operator's problem: it is named as such, without blaming the user or asking them to reconnect.
 */
export function describeConnectionStatus(
  status: ConnectionStatus,
  reason: StatusReason | null,
  problem: RefreshProblemView | null = null,
  googleDisabledReason: string | null = null,
): StatusCopy {
  switch (status) {
    case "CONNECTED":
      if (problem?.kind === "CONFIGURATION") {
        return {
          tone: "warning",
          title: "Server configuration problem",
          cause:
            "Evergreen's server could not renew access to Gmail because of a configuration problem; your administrator has been told.",
          fix: "Nothing for you to do.",
        };
      }
      return { tone: "ok", title: "Connected", cause: "Evergreen can send email from your Gmail address." };
    case "MISSING_SCOPE":
      return {
        tone: "warning",
        title: "Sending permission missing",
        cause: `Google signed you in, but the box “${SEND_SCOPE_LABEL}” was not ticked, so Evergreen cannot send email.`,
        fix: "Reconnect and tick that box on Google's screen before you click Allow.",
        action: "reconnect",
      };
    case "DISCONNECTED":
      return {
        tone: "off",
        title: "Disconnected",
        cause: "You disconnected Gmail, so Evergreen cannot send email.",
        fix: "Connect Gmail again to resume sending.",
        action: "connect",
      };
    case "NEEDS_RECONNECT":
      if (reason === "ACCOUNT_DISABLED")
        return { tone: "error", title: "Held: Google account disabled", ...disabledCopy(googleDisabledReason) };
      return { tone: "error", title: "Reconnect needed", ...reconnectCopy(reason), action: "reconnect" };
  }
}

/** The status of a connection as the pages show it (one read of the view for every page). */
export function describeConnection(
  view: Pick<ConnectionView, "status" | "reason" | "refreshProblem" | "googleDisabledReason">,
): StatusCopy {
  return describeConnectionStatus(view.status, view.reason, view.refreshProblem, view.googleDisabledReason);
}

/** Google disabled the Google account itself: nothing to reconnect until Google restores it. */
function disabledCopy(googleReason: string | null): { cause: string; fix: string } {
  const why =
    googleReason === "hijacking"
      ? "Google disabled your Google account because it may have been taken over by someone else (hijacking)."
      : googleReason === "bulk-account"
        ? "Google disabled your Google account because of activity it considers abusive."
        : "Google disabled your Google account.";
  return {
    cause: `${why} Google told Evergreen, so Evergreen signed you out everywhere and holds all your email: nothing is sent until Google enables the account again.`,
    fix: "Secure and restore your Google account at Google (Google Account → Security). Evergreen resumes sending on its own once Google enables it.",
  };
}

function reconnectCopy(reason: StatusReason | null): { cause: string; fix: string } {
  switch (reason) {
    case "NO_REFRESH_TOKEN":
      return {
        cause:
          "Google signed you in but did not grant lasting access (no refresh token), so sending would stop within the hour.",
        fix: "Reconnect once and approve Google's screen to fix it.",
      };
    case "REVOKED":
      return {
        cause:
          "Google no longer accepts Evergreen's access to your Gmail: it was removed from your Google account (Security → Third-party access), or Google ended it, for example after a password change.",
        fix: "Reconnect to give Evergreen access again.",
      };
    case "REMOVED_AT_GOOGLE":
      return {
        cause:
          "Access removed at Google: Google told Evergreen that its access to your Gmail was removed (from your Google account's Third-party access page, or by Google), so Evergreen holds your email instead of sending it.",
        fix: "Reconnect to give Evergreen access again; held email then goes out on its own.",
      };
    case "TESTING_APP_EXPIRY":
      return {
        cause:
          "This Evergreen installation's Google app is in Testing mode, where Google ends access 7 days after you approve it, and those 7 days are over.",
        fix: "Reconnect to approve it for another 7 days; your administrator can publish the app to stop this.",
      };
    case "UNUSED_TOO_LONG":
      return {
        cause:
          "Google ended Evergreen's access because it had not been used for six months: Google's rule for access nobody uses.",
        fix: "Reconnect to give Evergreen access again.",
      };
    case "TOKEN_UNREADABLE":
      return {
        cause:
          "Stored credentials unreadable: Evergreen could not read the Google access it had stored for you, so it cannot send.",
        fix: "Reconnect to replace it.",
      };
    case "TOKEN_LIMIT":
      return {
        cause: "Google keeps only the 100 most recent approvals per app, and this one was retired.",
        fix: "Reconnect to continue.",
      };
    default:
      return { cause: "Google stopped accepting Evergreen's access.", fix: "Reconnect to restore it." };
  }
}

/** The early warning of an OAuth client in Testing: when to re-approve, before Google ends the grant. */
/** The Testing countdown's words and moment, when the connection has one. */
export function reapproveNotice(testingExpiry: { daysLeft: number; endsAt: Date } | null | undefined) {
  return testingExpiry ? { copy: reapproveCopy(testingExpiry.daysLeft), endsAt: testingExpiry.endsAt } : undefined;
}

export function reapproveCopy(daysLeft: number): { tone: "warning" | "info"; title: string; detail: string } {
  return {
    tone: daysLeft <= 2 ? "warning" : "info",
    title: daysLeft <= 0 ? "Re-approve now" : `Re-approve within ${daysLeft} ${daysLeft === 1 ? "day" : "days"}`,
    detail:
      "This Evergreen installation's Google app is in Testing mode, where Google ends Gmail access 7 days after you approve it. Re-approve to start another 7 days; your administrator can publish the app to stop this.",
  };
}

/** A renewal Google did not answer: not an error (Evergreen retries), worth a quiet note for a day. */
export const TRANSIENT_PROBLEM_NOTE = {
  lead: "Google did not answer when Evergreen last tried to renew access",
  rest: "Evergreen tries again on its own; nothing for you to do.",
};

/** Shown once when a broken connection works again. */
export function restoredNoticeText(by: RestoredNotice["by"], googleEmail: string | null): string {
  const from = googleEmail ? `from ${googleEmail} ` : "";
  return by === "reconnect"
    ? `Gmail reconnected. Evergreen can send email ${from}again.`
    : `Gmail connection restored. Evergreen can send email ${from}again.`;
}

export const EVENT_LABELS: Record<ConnectionEventKind, string> = {
  CONNECTED: "Google account linked",
  SIGNED_IN: "Signed in",
  RECONNECTED: "Reconnected",
  REFRESH_TOKEN_MISSING: "Refresh token missing",
  SCOPE_MISSING: "Sending permission missing",
  DISCONNECTED: "Disconnected",
  REVOKE_SUCCEEDED: "Access revoked at Google",
  REVOKE_FAILED: "Revoke at Google failed",
  REFRESHED: "Access renewed",
  REFRESH_FAILED: "Renewal failed",
  CREDENTIALS_UNREADABLE: "Stored credentials unreadable",
  RECONNECT_REFUSED: "Other Google account refused",
  GOOGLE_SECURITY_EVENT: "Security event from Google",
};

const SCOPE_LABELS: Record<string, string> = {
  openid: "Sign-in (OpenID)",
  email: "Email address",
  profile: "Basic profile",
  "https://www.googleapis.com/auth/userinfo.email": "Email address",
  "https://www.googleapis.com/auth/userinfo.profile": "Basic profile",
  [GMAIL_SEND_SCOPE]: SEND_SCOPE_LABEL,
  [GMAIL_METADATA_SCOPE]: METADATA_SCOPE_LABEL,
};

/** Granted scopes as permission names, each once (Google lists `email` and its URL form alike). */
export function scopeLabels(scopes: string[]): string[] {
  return [...new Set(scopes.map((scope) => SCOPE_LABELS[scope] ?? scope))];
}

const REMOVE_AT_GOOGLE = "To be sure, remove Evergreen at Google Account → Security → Third-party access.";

export const DISCONNECT_MESSAGES: Record<DisconnectOutcome, string> = {
  revoked: "Gmail disconnected. Google confirmed Evergreen's access is revoked.",
  "nothing-to-revoke": "Gmail disconnected. Evergreen held no access at Google to revoke.",
  "revoke-pending":
    "Gmail disconnected here, but Google could not be reached to revoke access. Evergreen will keep retrying; you can also remove it at Google Account → Security → Third-party access.",
  "revoke-refused": `Gmail disconnected here, but Google refused to revoke Evergreen's access. ${REMOVE_AT_GOOGLE}`,
  "credentials-unreadable": `Gmail disconnected here. Evergreen could not revoke its access at Google because its stored credentials were unreadable. ${REMOVE_AT_GOOGLE}`,
  "already-disconnected": "Gmail was already disconnected.",
};
