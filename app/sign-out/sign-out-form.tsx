"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { SubmitButton } from "@/components/submit-button";
import { describeDraft, forgetThisBrowser, followSignOutElsewhere, unsentDraft } from "../(signed-in)/compose/draft";
import { signOutAction } from "./actions";

/**
 * Sign out for a shared computer: what Evergreen keeps in this browser (drafts, idempotency keys) goes
 * with the session, and an unsent draft, which exists nowhere else, is not discarded without asking.
 */
export function SignOutForm({
  userId,
  variant = "primary",
  autoFocus,
}: {
  userId: string;
  variant?: "primary" | "secondary";
  autoFocus?: boolean;
}) {
  const form = useRef<HTMLFormElement>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const confirmed = useRef(false);
  const [draft, setDraft] = useState("");
  const pathname = usePathname();
  const router = useRouter();
  const id = useId();

  // An open composer in another tab must not write the draft back after a sign-out here, nor keep its key.
  useEffect(() => followSignOutElsewhere(userId), [userId]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    const unsent = confirmed.current ? null : unsentDraft(userId);
    if (unsent) {
      event.preventDefault();
      flushSync(() => setDraft(describeDraft(unsent)));
      dialog.current?.showModal();
      return;
    }
    forgetThisBrowser(userId);
  };

  const discardAndSignOut = () => {
    confirmed.current = true;
    dialog.current?.close();
    form.current?.requestSubmit();
  };

  const keepWriting = () => {
    dialog.current?.close();
    if (pathname !== "/compose") router.push("/compose");
  };

  return (
    <>
      <form ref={form} action={signOutAction} onSubmit={submit} className="flex flex-col">
        <SubmitButton variant={variant} autoFocus={autoFocus} pendingLabel="Signing out…">
          Sign out
        </SubmitButton>
      </form>
      {/* The safe choice comes first, so the dialog opens with the focus on it. */}
      <dialog
        ref={dialog}
        role="alertdialog"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-text`}
        className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-6 text-slate-900 shadow-lg backdrop:bg-slate-900/50"
      >
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          Discard your unsent draft?
        </h2>
        <p id={`${id}-text`} className="mt-2 text-sm text-slate-700">
          You have an unsent draft, {draft}. It is kept only in this browser, and signing out deletes it, so that the
          next person at this computer cannot read it.
        </p>
        <div className="mt-5 flex flex-wrap justify-end gap-3">
          <button
            type="button"
            onClick={keepWriting}
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
          >
            Keep writing
          </button>
          <button
            type="button"
            onClick={discardAndSignOut}
            className="rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800"
          >
            Discard draft and sign out
          </button>
        </div>
      </dialog>
    </>
  );
}
