"use server";

import { z } from "zod";
import type { ActionState } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import type { MessageStatus } from "@/lib/platform/db";
import { UserError } from "@/lib/platform/errors";
import { composeSchema, readComposeForm } from "@/lib/mail/compose";
import { cancelMessage, enqueueMessage, findResubmittedMessage, getMessageStatus } from "@/lib/mail/messages";
import { MESSAGE_STATUS_COPY } from "@/lib/mail/outbox-copy";
import { consumeRateLimit, rateLimitRules } from "@/lib/http/rate-limit";
import { sendLimitMessage } from "@/lib/http/rate-limit-copy";
import { SuppressedRecipientsError } from "@/lib/outreach/unsubscribe";

export type QueuedView = {
  id: string;
  status: MessageStatus;
  /** When the outbox takes it: the end of the undo window, or the scheduled time. */
  sendAt: string;
  /** How long Undo still works, measured on the server, so the browser's clock does not matter. */
  undoMs: number;
  /** The same idempotency key was sent before: this is the row that request made. */
  duplicate: boolean;
};

/** `unsubscribed`: recipients who unsubscribed and were not confirmed with "Send anyway" (the send was refused). */
export type ComposeState = ActionState & { queued?: QueuedView; unsubscribed?: Array<{ email: string; at: string }> };

export type MessageStatusView = { status: MessageStatus; label: string; detail: string };

const messageId = z.string().min(1).max(64);

/** Puts the message in the outbox; Google is called later, by the outbox worker. */
// `formData` is typed unknown because this is a public endpoint: a hand-made request can pass anything.
export async function sendMessageAction(_previous: ComposeState, formData: unknown): Promise<ComposeState> {
  const user = await requireUser();
  if (!(formData instanceof FormData))
    return { ok: false, message: "That request was not understood; reload the page." };
  const input = await readComposeForm(formData);
  const values = {
    to: input.to?.join(", ") ?? "",
    cc: input.cc?.join(", ") ?? "",
    bcc: input.bcc?.join(", ") ?? "",
    subject: input.subject,
    body: input.body,
  };
  const parsed = composeSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      message: "Not sent: fix what is marked below.",
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
      values,
    };
  }
  try {
    // A resubmitted form (its answer was lost) finds its message again, and is no new send to count.
    const resubmitted = await findResubmittedMessage(user.id, parsed.data);
    if (!resubmitted) {
      // Counted here, per user, whatever the request's encoding; proxy.ts answers 429 once the limit is used up.
      const limit = await consumeRateLimit(rateLimitRules().sends, user.id);
      if (!limit.allowed) return { ok: false, message: sendLimitMessage(limit.retryAfterSeconds), values };
    }
    const queued = resubmitted ?? (await enqueueMessage(user.id, parsed.data));
    const undoMs = queued.status === "QUEUED" ? Math.max(0, queued.sendAt.getTime() - Date.now()) : 0;
    return {
      ok: true,
      message: queued.status === "SCHEDULED" ? "Scheduled." : "Sending.",
      queued: { ...queued, sendAt: queued.sendAt.toISOString(), undoMs },
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // The form learns of an unsubscribe made since the page loaded, and asks "Send anyway?".
    const unsubscribed =
      error instanceof SuppressedRecipientsError
        ? {
            unsubscribed: error.recipients.map(({ email, unsubscribedAt }) => ({
              email,
              at: unsubscribedAt.toISOString(),
            })),
          }
        : {};
    return error.field
      ? {
          ok: false,
          message: "Not sent: fix what is marked below.",
          fieldErrors: { [error.field]: [error.message] },
          values,
          ...unsubscribed,
        }
      : { ok: false, message: error.message, values };
  }
}

/** Undo: takes the message back while it still waits (the undo window, or its scheduled time). */
export async function undoSendAction(id: unknown): Promise<ActionState> {
  const user = await requireUser();
  const parsed = messageId.safeParse(id);
  if (parsed.success && (await cancelMessage(user.id, parsed.data))) return { ok: true, message: "Not sent." };
  return { ok: false, message: "Too late to undo: the message is already on its way to Gmail." };
}

/** Where a sent message stands, in the outbox's words, for the confirmation after the undo window. */
export async function messageStatusAction(id: unknown): Promise<MessageStatusView | null> {
  const user = await requireUser();
  const parsed = messageId.safeParse(id);
  const message = parsed.success ? await getMessageStatus(user.id, parsed.data) : null;
  if (!message) return null;
  const copy = MESSAGE_STATUS_COPY[message.status];
  const detail = message.status === "FAILED" && message.lastError ? message.lastError : copy.next;
  return { status: message.status, label: copy.label, detail };
}
