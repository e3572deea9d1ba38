"use client";

import { useActionState } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";
import type { MessageStatus } from "@/lib/platform/db";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

const CHOICES: Partial<
  Record<
    MessageStatus,
    Array<{ decision: string; label: string; pending: string; variant: "primary" | "secondary" | "danger" }>
  >
> = {
  SCHEDULED: [{ decision: "cancel", label: "Cancel", pending: "Cancelling…", variant: "secondary" }],
  QUEUED: [{ decision: "cancel", label: "Cancel", pending: "Cancelling…", variant: "secondary" }],
  WAITING_FOR_RECONNECT: [{ decision: "cancel", label: "Cancel", pending: "Cancelling…", variant: "secondary" }],
  FAILED: [{ decision: "retry", label: "Retry", pending: "Queuing…", variant: "primary" }],
  UNKNOWN: [
    { decision: "send-again", label: "Send again", pending: "Queuing…", variant: "primary" },
    { decision: "dismiss", label: "Dismiss", pending: "Dismissing…", variant: "secondary" },
  ],
};

/** The decisions a message in this state allows, each a small form that says what it did. */
export function MessageActions({
  id,
  status,
  subject,
  action,
}: {
  id: string;
  status: MessageStatus;
  subject: string;
  action: Action;
}) {
  const [state, formAction] = useActionState(action, IDLE);
  const choices = CHOICES[status] ?? [];
  return (
    <div className="flex flex-wrap items-center gap-2">
      {choices.map((choice) => (
        <form key={choice.decision} action={formAction} aria-label={`${choice.label}: ${subject || "(no subject)"}`}>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="decision" value={choice.decision} />
          <SubmitButton variant={choice.variant} pendingLabel={choice.pending}>
            {choice.label}
          </SubmitButton>
        </form>
      ))}
      <p role="status" aria-live="polite" className={`text-sm ${state.ok ? "text-slate-600" : "text-red-700"}`}>
        {state.message}
      </p>
    </div>
  );
}
