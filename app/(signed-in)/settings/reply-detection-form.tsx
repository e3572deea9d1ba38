"use client";

import { useActionState } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";
import type { ReplyDetectionState } from "@/lib/outreach/reply-detection";

type Action = () => Promise<ActionState>;

/** Turn "Stop when they reply" on (via Google's permission screen when needed) or off; the outcome is announced. */
export function ReplyDetectionForm({
  state,
  turnOn,
  turnOff,
}: {
  state: Exclude<ReplyDetectionState, "off-by-deployment">;
  turnOn: Action;
  turnOff: Action;
}) {
  // One state for both buttons, so the message is always the latest answer.
  const [result, formAction] = useActionState<ActionState, FormData>(
    (_previous, form) => (form.get("turn") === "on" ? turnOn() : turnOff()),
    IDLE,
  );
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start gap-4">
        {state !== "on" ? (
          <form action={formAction} aria-describedby="reply-detection-state">
            <input type="hidden" name="turn" value="on" />
            <SubmitButton pendingLabel="Opening Google…">
              {state === "off" ? "Turn on Stop when they reply" : "Ask Google again"}
            </SubmitButton>
          </form>
        ) : null}
        {state !== "off" ? (
          <form action={formAction}>
            <input type="hidden" name="turn" value="off" />
            <SubmitButton variant="secondary" pendingLabel="Turning off…">
              Turn off Stop when they reply
            </SubmitButton>
          </form>
        ) : null}
      </div>
      <p role="status" aria-live="polite" className="text-sm text-slate-700">
        {result.message}
      </p>
    </div>
  );
}
