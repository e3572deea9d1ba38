"use client";

import { useActionState } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE } from "@/lib/platform/action-state";
import { RESUBSCRIBE_NOTE_MAX_LENGTH } from "@/lib/outreach/unsubscribe-copy";
import { resubscribeContactAction } from "./subscription-actions";

/** Lifts an unsubscribe; the note (why they may hear from the user again) is required. */
export function ResubscribeForm({ contactId }: { contactId: string }) {
  const [state, formAction] = useActionState(resubscribeContactAction, IDLE);
  const errors = state.fieldErrors?.note ?? [];

  return (
    <form action={formAction} noValidate aria-label="Resubscribe" className="space-y-3">
      <input type="hidden" name="id" value={contactId} />
      <div>
        <label htmlFor="resubscribe-note" className="block text-sm font-medium text-slate-700">
          Note
        </label>
        <p id="resubscribe-note-hint" className="text-xs text-slate-500">
          Required: why they hear from you again, e.g. “They asked to hear from us again by phone”.
        </p>
        <input
          id="resubscribe-note"
          name="note"
          type="text"
          required
          maxLength={RESUBSCRIBE_NOTE_MAX_LENGTH}
          defaultValue={state.values?.note ?? ""}
          aria-invalid={errors.length ? true : undefined}
          aria-describedby={`resubscribe-note-hint${errors.length ? " resubscribe-note-error" : ""}`}
          className={`mt-1 w-full rounded-md border bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none ${errors.length ? "border-red-500" : "border-slate-300"}`}
        />
        <div id="resubscribe-note-error" aria-live="polite" className="text-sm text-red-700">
          {errors.map((error) => (
            <p key={error} className="mt-1">
              {error}
            </p>
          ))}
        </div>
      </div>
      <SubmitButton variant="secondary" pendingLabel="Resubscribing…">
        Resubscribe
      </SubmitButton>
      <p role="status" aria-live="polite" className="text-sm text-red-700">
        {state.ok || state.fieldErrors ? "" : state.message}
      </p>
    </form>
  );
}
