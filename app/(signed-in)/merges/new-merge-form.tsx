"use client";

import { useActionState } from "react";
import Link from "next/link";
import { SubmitButton } from "@/components/submit-button";
import { IDLE } from "@/lib/platform/action-state";
import { emailSelectedAction } from "./actions";

const inputClass =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none";

/** A new merge to every contact with a tag and/or matching a search; the next page shows the report. */
export function NewMergeForm({ tags }: { tags: Array<{ key: string; label: string; count: number }> }) {
  const [state, formAction] = useActionState(emailSelectedAction, IDLE);
  return (
    <form
      action={formAction}
      aria-label="New merge"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
    >
      <h2 className="text-lg font-semibold">New merge</h2>
      <p className="text-sm text-slate-600">
        Pick who gets it: a tag, a search, or both. You can also select contacts on the{" "}
        <Link href="/contacts" className="font-medium text-brand-700 underline">
          contacts list
        </Link>{" "}
        and choose “Email selected”. Nothing is sent before you see the report and press Start.
      </p>
      <input type="hidden" name="scope" value="matching" />
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="new-merge-tag" className="text-sm font-medium text-slate-700">
            Tag
          </label>
          <select id="new-merge-tag" name="tag" className={inputClass} defaultValue="">
            <option value="">Any tag</option>
            {tags.map((tag) => (
              <option key={tag.key} value={tag.key}>
                {tag.label} ({tag.count})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="new-merge-search" className="text-sm font-medium text-slate-700">
            Search
          </label>
          <input id="new-merge-search" name="q" type="search" maxLength={100} className={inputClass} />
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel="Preparing…">Prepare the merge</SubmitButton>
        <p role="alert" className="text-sm font-medium text-red-700">
          {state.ok ? "" : state.message}
        </p>
      </div>
    </form>
  );
}
