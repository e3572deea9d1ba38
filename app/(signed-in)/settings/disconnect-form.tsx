"use client";

import { useActionState, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";

/**
 * Disconnect asks once more before it revokes: sending stops until the user connects again. It stays
 * mounted after disconnecting (without its button) so the outcome message remains readable.
 */
export function DisconnectForm({ action, connected }: { action: () => Promise<ActionState>; connected: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const disconnectButton = useRef<HTMLButtonElement>(null);
  // The confirmation stays up (showing progress) until the server answers.
  const [state, formAction] = useActionState<ActionState>(async () => {
    const result = await action();
    setConfirming(false);
    return result;
  }, IDLE);

  return (
    <div className="space-y-3">
      {confirming ? (
        <form
          action={formAction}
          aria-describedby="disconnect-warning"
          className="flex flex-wrap items-center gap-3 rounded-md border border-red-200 bg-red-50 p-3"
        >
          <p id="disconnect-warning" className="text-sm text-red-900">
            Evergreen will revoke its access at Google and delete your tokens. Sending stops until you connect again.
          </p>
          {/* Focus moves to the decision the user just asked for, so the keyboard path is Enter, Enter. */}
          <SubmitButton variant="danger" pendingLabel="Disconnecting…" autoFocus>
            Yes, disconnect Gmail
          </SubmitButton>
          <button
            type="button"
            onClick={() => {
              // Back to the button that asked, so keyboard users do not lose their place.
              flushSync(() => setConfirming(false));
              disconnectButton.current?.focus();
            }}
            className="text-sm font-medium text-slate-700 underline"
          >
            Keep connected
          </button>
        </form>
      ) : connected ? (
        <button
          ref={disconnectButton}
          type="button"
          onClick={() => setConfirming(true)}
          className="rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50"
        >
          Disconnect Gmail
        </button>
      ) : null}
      <p role="status" aria-live="polite" className="text-sm text-slate-700">
        {state.message}
      </p>
    </div>
  );
}
