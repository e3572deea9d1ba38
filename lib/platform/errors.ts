import type { ConnectionStatus, StatusReason } from "./db";

/** The Gmail connection cannot be used until the user reconnects (or connects) it. Expected, not a bug. */
export class ReconnectRequiredError extends Error {
  constructor(
    readonly status: ConnectionStatus | "NOT_CONNECTED",
    readonly reason: StatusReason | null,
  ) {
    super(`Gmail needs to be reconnected (${status}${reason ? `: ${reason}` : ""})`);
    this.name = "ReconnectRequiredError";
  }
}

/** A failure the user can fix, with a message safe to show; `field` names the form field it concerns. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}
