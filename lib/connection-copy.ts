import type { ConnectionEventKind, ConnectionStatus, StatusReason } from "./db";
import { GMAIL_SEND_SCOPE } from "./google/oauth";
import type { DisconnectOutcome } from "./revocation";

// Every status, cause, event and outcome of the Gmail connection in the words the UI shows.

/** The connection's state in the words a salesperson reads, with the one action that fixes it. */
export type StatusCopy = {
  tone: "ok" | "warning" | "error" | "off";
  title: string;
  explanation: string;
  action?: "reconnect" | "connect";
};

// The consent-screen label of gmail.send, as Google shows it.
export const SEND_SCOPE_LABEL = "Send email on your behalf";

export function describeConnectionStatus(status: ConnectionStatus, reason: StatusReason | null): StatusCopy {
  switch (status) {
    case "CONNECTED":
      return { tone: "ok", title: "Connected", explanation: "Evergreen can send email from your Gmail address." };
    case "MISSING_SCOPE":
      return {
        tone: "warning",
        title: "Sending permission missing",
        explanation: `Google signed you in, but the box “${SEND_SCOPE_LABEL}” was not ticked, so Evergreen cannot send email. Reconnect and tick that box on Google's screen before you click Allow.`,
        action: "reconnect",
      };
    case "DISCONNECTED":
      return {
        tone: "off",
        title: "Disconnected",
        explanation: "You disconnected Gmail. Evergreen cannot send email until you connect it again.",
        action: "connect",
      };
    case "NEEDS_RECONNECT":
      return {
        tone: "error",
        title: "Reconnect needed",
        explanation: reconnectExplanation(reason),
        action: "reconnect",
      };
  }
}

function reconnectExplanation(reason: StatusReason | null): string {
  switch (reason) {
    case "NO_REFRESH_TOKEN":
      return "Google signed you in but did not grant lasting access (no refresh token), so sending would stop within the hour. Reconnect once and approve Google's screen to fix it.";
    case "REVOKED":
      return "Access to Gmail was removed from your Google account. Reconnect to give Evergreen access again.";
    case "TESTING_APP_EXPIRY":
      return "This Evergreen installation's Google app is in Testing mode, where Google ends access 7 days after you approve it. Reconnect now; your administrator can publish the app to stop this.";
    case "TOKEN_UNREADABLE":
      return "Stored credentials unreadable: Evergreen could not read the Google access it had stored for you, so it cannot send. Reconnect to replace it.";
    case "TOKEN_LIMIT":
      return "Google keeps only the 100 most recent approvals per app, and this one was retired. Reconnect to continue.";
    default:
      return "Google stopped accepting Evergreen's access. Reconnect to restore it.";
  }
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
};

const SCOPE_LABELS: Record<string, string> = {
  openid: "Sign-in (OpenID)",
  email: "Email address",
  profile: "Basic profile",
  "https://www.googleapis.com/auth/userinfo.email": "Email address",
  "https://www.googleapis.com/auth/userinfo.profile": "Basic profile",
  [GMAIL_SEND_SCOPE]: SEND_SCOPE_LABEL,
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
