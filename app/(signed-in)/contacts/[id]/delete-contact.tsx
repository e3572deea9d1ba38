"use client";

import { useActionState, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

/** Delete asks once more, naming who, before anything is removed. */
export function DeleteContact({ id, name, action }: { id: string; name: string; action: Action }) {
  const [confirming, setConfirming] = useState(false);
  const [state, formAction] = useActionState(action, IDLE);
  const deleteButton = useRef<HTMLButtonElement>(null);
  // The keyboard goes back to the button that asked the question.
  const keep = () => {
    flushSync(() => setConfirming(false));
    deleteButton.current?.focus();
  };

  return (
    <div className="space-y-2">
      {confirming ? (
        <form
          action={formAction}
          aria-describedby="delete-contact-warning"
          // Escape answers "keep", as it would close a dialog.
          onKeyDown={(event) => {
            if (event.key === "Escape") keep();
          }}
          className="flex flex-wrap items-center gap-3 rounded-md border border-red-200 bg-red-50 p-3"
        >
          <input type="hidden" name="id" value={id} />
          <p id="delete-contact-warning" className="text-sm text-red-900">
            Delete {name}? Their details and notes are removed. Email you sent them stays in your outbox and in Gmail.
          </p>
          {/* Focus moves to the decision the user just asked for. */}
          <SubmitButton variant="danger" pendingLabel="Deleting…" autoFocus>
            Yes, delete contact
          </SubmitButton>
          <button type="button" onClick={keep} className="text-sm font-medium text-slate-700 underline">
            Keep contact
          </button>
        </form>
      ) : (
        <button
          ref={deleteButton}
          type="button"
          onClick={() => setConfirming(true)}
          className="rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50"
        >
          Delete
        </button>
      )}
      <p role="status" aria-live="polite" className="text-sm text-red-700">
        {state.ok ? "" : state.message}
      </p>
    </div>
  );
}
