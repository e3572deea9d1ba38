"use client";

import Link from "next/link";
import { useActionState, type ReactNode } from "react";
import { SubmitButton } from "@/components/submit-button";
import type { ActionState } from "@/lib/platform/action-state";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

const fieldClass =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none";

/**
 * "Enrol in sequence", for the contacts list's selection and a contact's page: pick a sequence; `target`
 * holds the hidden fields that say who. The answer counts who joined, who was already in, and who was
 * left out because they unsubscribed.
 */
export function EnrolForm({
  id,
  action,
  sequences,
  target,
}: {
  id: string;
  action: Action;
  sequences: Array<{ id: string; name: string }>;
  target: ReactNode;
}) {
  const [state, formAction] = useActionState(action, { ok: true });
  if (sequences.length === 0)
    return (
      <p className="max-w-64 text-sm text-slate-600">
        <Link href="/sequences/new" className="font-medium text-brand-700 underline">
          Create a sequence
        </Link>{" "}
        to enrol contacts in a series of emails.
      </p>
    );
  return (
    <form action={formAction} aria-label="Enrol in sequence" className="space-y-1">
      {target}
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor={id} className="text-sm font-medium text-slate-700">
            Sequence
          </label>
          <select id={id} name="sequenceId" aria-describedby={`${id}-outcome`} className={fieldClass}>
            {sequences.map((sequence) => (
              <option key={sequence.id} value={sequence.id}>
                {sequence.name}
              </option>
            ))}
          </select>
        </div>
        <SubmitButton variant="secondary" pendingLabel="Enrolling…">
          Enrol in sequence
        </SubmitButton>
      </div>
      <div id={`${id}-outcome`} className="max-w-md text-sm">
        <p role="status" className="font-medium text-emerald-800">
          {state.ok && state.message ? state.message : ""}
        </p>
        {!state.ok && state.message ? (
          <p role="alert" className="font-medium text-red-700">
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
