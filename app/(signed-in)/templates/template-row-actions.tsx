"use client";

import Link from "next/link";
import { useActionState, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

const secondary =
  "rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50";

/** Edit, Duplicate and Delete for one template; delete asks once more, naming it, before anything is removed. */
export function TemplateRowActions({
  id,
  name,
  duplicateAction,
  deleteAction,
}: {
  id: string;
  name: string;
  duplicateAction: Action;
  deleteAction: Action;
}) {
  const [confirming, setConfirming] = useState(false);
  const [duplicateState, duplicate] = useActionState(duplicateAction, IDLE);
  const [deleteState, remove] = useActionState(deleteAction, IDLE);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const warningId = `delete-template-${id}-warning`;
  // The keyboard goes back to the button that asked the question.
  const keep = () => {
    flushSync(() => setConfirming(false));
    deleteButton.current?.focus();
  };
  const problem = (!duplicateState.ok && duplicateState.message) || (!deleteState.ok && deleteState.message) || "";
  const forName = <span className="sr-only"> {name}</span>;

  return (
    <div className="shrink-0 space-y-2 sm:max-w-sm">
      {confirming ? (
        <form
          action={remove}
          aria-describedby={warningId}
          // Escape answers "keep", as it would close a dialog.
          onKeyDown={(event) => {
            if (event.key === "Escape") keep();
          }}
          className="flex flex-wrap items-center gap-3 rounded-md border border-red-200 bg-red-50 p-3"
        >
          <input type="hidden" name="id" value={id} />
          <p id={warningId} className="text-sm break-words text-red-900">
            Delete the template “{name}”? Merges already made from it keep their own copy of its text.
          </p>
          {/* Focus moves to the decision the user just asked for. */}
          <SubmitButton variant="danger" pendingLabel="Deleting…" autoFocus>
            Yes, delete template
          </SubmitButton>
          <button type="button" onClick={keep} className="text-sm font-medium text-slate-700 underline">
            Keep template
          </button>
        </form>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/templates/${id}/edit`} className={secondary}>
            Edit{forName}
          </Link>
          <form action={duplicate}>
            <input type="hidden" name="id" value={id} />
            <SubmitButton variant="secondary" pendingLabel="Duplicating…">
              Duplicate{forName}
            </SubmitButton>
          </form>
          <button
            ref={deleteButton}
            type="button"
            onClick={() => setConfirming(true)}
            className="rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50"
          >
            Delete{forName}
          </button>
        </div>
      )}
      <p role="status" aria-live="polite" className="text-sm text-red-700">
        {problem}
      </p>
    </div>
  );
}
