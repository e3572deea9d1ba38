import type { MessageStatus } from "../platform/db";

/** Each message status in the words the outbox page shows, with what happens next. */
export const MESSAGE_STATUS_COPY: Record<
  MessageStatus,
  { label: string; tone: "ok" | "warning" | "error" | "off"; next: string }
> = {
  DRAFT: { label: "Draft", tone: "off", next: "Not sent." },
  SCHEDULED: { label: "Scheduled", tone: "off", next: "Will be sent at its time." },
  QUEUED: { label: "Queued", tone: "off", next: "Will be sent in a moment." },
  SENDING: { label: "Sending", tone: "off", next: "Gmail is being asked right now." },
  SENT: { label: "Sent", tone: "ok", next: "Gmail accepted it." },
  WAITING_FOR_RECONNECT: {
    label: "Waiting for reconnect",
    tone: "warning",
    next: "Reconnect Gmail (tick “Send email on your behalf”) and it is sent at once.",
  },
  FAILED: { label: "Failed", tone: "error", next: "Not sent. Fix the cause, then retry." },
  UNKNOWN: {
    label: "Unknown",
    tone: "warning",
    next: "It may or may not have been sent: check your Gmail Sent folder, then send it again or dismiss it.",
  },
  CANCELLED: { label: "Cancelled", tone: "off", next: "Not sent." },
};
