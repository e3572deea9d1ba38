import type { ConnectionStatus, StatusReason } from "./db";

/** The connection's state in the words a salesperson reads, with the one action that fixes it. */
export type StatusCopy = { tone: "ok" | "warning" | "error" | "off"; title: string; explanation: string; action?: "reconnect" | "connect" };

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
      return { tone: "off", title: "Disconnected", explanation: "You disconnected Gmail. Evergreen cannot send email until you connect it again.", action: "connect" };
    case "NEEDS_RECONNECT":
      return { tone: "error", title: "Reconnect needed", explanation: reconnectExplanation(reason), action: "reconnect" };
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
