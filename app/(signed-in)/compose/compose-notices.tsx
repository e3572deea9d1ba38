"use client";

import type { Snapshot } from "./compose-rules";
import { describeDraft, type Draft } from "./draft";

/** A sticky notice stays while the user writes (a draft set aside stays restorable until sent or restored). */
export type Notice = { text: string; restore?: Snapshot; sticky?: boolean };

/** What just happened to the draft, with a way to bring back one that was set aside or discarded. */
export function NoticeBar({ notice, onRestore }: { notice: Notice | null; onRestore: (snapshot: Snapshot) => void }) {
  // Always present, so what appears in it is announced.
  return (
    <div
      role="status"
      className={
        notice
          ? "flex flex-wrap items-center gap-3 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-800"
          : undefined
      }
    >
      {notice ? <span>{notice.text}</span> : null}
      {notice?.restore ? (
        <button
          type="button"
          onClick={() => onRestore(notice.restore!)}
          className="font-medium text-brand-800 underline"
        >
          Restore it
        </button>
      ) : null}
    </div>
  );
}

type QuestionProps = {
  draft: Draft;
  /** The contact's address the page was opened for. */
  address: string;
  onNewEmail: (address: string) => void;
  onAddToDraft: (address: string) => void;
};

/** Asked when a contact's Email action meets an unsent draft to someone else. */
export function UnsentDraftQuestion({ draft, address, onNewEmail, onAddToDraft }: QuestionProps) {
  return (
    <div
      role="group"
      aria-labelledby="unsent-draft-question"
      className="space-y-3 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950"
    >
      <p id="unsent-draft-question">
        You have an unsent draft, {describeDraft(draft)}. Write to {address} in a new email, or add them to this draft?
      </p>
      <div className="flex flex-wrap gap-3">
        <button
          type="button"
          autoFocus
          onClick={() => onNewEmail(address)}
          className="rounded-md bg-brand-700 px-3 py-1.5 font-medium text-white hover:bg-brand-800"
        >
          New email to {address}
        </button>
        <button
          type="button"
          onClick={() => onAddToDraft(address)}
          className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50"
        >
          Add to this draft
        </button>
      </div>
    </div>
  );
}
