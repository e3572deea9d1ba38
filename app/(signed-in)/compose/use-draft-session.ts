"use client";

import { useEffect, useRef, useState } from "react";
import { emptyDraft, isBlank, loadDraft, registerOpenDraft, saveDraft, type Draft, type FollowUpOf } from "./draft";

const SAVE_AFTER_MS = 400;

/** What a sent email's Follow up opens compose with (the compose page reads it from the user's own sent email). */
export type FollowUpPrefill = FollowUpOf & { to: string[]; cc: string[]; replySubject: string };

/**
 * The draft the composer opens with; the address to ask about (`prefillTo`) if one is already being
 * written; and, for a follow-up, the draft it set aside.
 */
export function openDraft(
  userId: string,
  prefillTo?: string,
  followUp?: FollowUpPrefill,
): { draft: Draft; ask: string | null; setAside?: Draft } {
  const saved = loadDraft(userId);
  // A follow-up opens ready to write; a draft of something else is set aside, restorable, not lost.
  if (followUp) {
    if (saved?.followUp?.id === followUp.id) return { draft: saved, ask: null };
    const { id, subject, sentAt } = followUp;
    const draft: Draft = {
      ...emptyDraft(),
      to: followUp.to,
      cc: followUp.cc,
      showCc: followUp.cc.length > 0,
      subject: followUp.replySubject,
      followUp: { id, subject, sentAt },
    };
    return { draft, ask: null, ...(saved && !isBlank(saved) ? { setAside: saved } : {}) };
  }
  // A contact's Email action opens a new message to them, unless a draft is being written: then the
  // user chooses (someone's private text must not quietly go to a new person, nor a draft be lost).
  if (!prefillTo) return { draft: saved ?? emptyDraft(), ask: null };
  if (!saved || isBlank(saved)) return { draft: { ...emptyDraft(), to: [prefillTo] }, ask: null };
  return { draft: saved, ask: saved.to.includes(prefillTo) ? null : prefillTo };
}

/** Keeps `draft` saved on this device and says, in a line, whether it is. */
export function useDraftAutosave(userId: string, draft: Draft): string {
  const [savedDraft, setSavedDraft] = useState<Draft | null>(draft);
  const [saveRefused, setSaveRefused] = useState(false);
  const latestDraft = useRef(draft);

  // Autosave: a moment after the last change, and at once when the page is hidden or left (also in-app).
  useEffect(() => {
    latestDraft.current = draft;
    if (draft === savedDraft) return;
    const timer = setTimeout(() => {
      setSaveRefused(!saveDraft(userId, draft));
      setSavedDraft(draft);
    }, SAVE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [draft, savedDraft, userId]);

  useEffect(() => {
    const flush = () => saveDraft(userId, latestDraft.current);
    const onVisibilityChange = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onVisibilityChange);
    const unregister = registerOpenDraft(userId, () => latestDraft.current);
    return () => {
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onVisibilityChange);
      unregister();
      // Leaving compose by one of the app's own links unmounts it without a pagehide.
      flush();
    };
  }, [userId]);

  return saveRefused
    ? "This browser did not let Evergreen save the draft."
    : isBlank(draft)
      ? "Drafts are saved on this device as you type."
      : draft === savedDraft
        ? "Draft saved on this device."
        : "Saving draft…";
}

// Attachments are not in the saved draft: leaving the page would lose them, so the browser asks first.
export function useLeaveWarning(holdsFiles: boolean) {
  useEffect(() => {
    if (!holdsFiles) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [holdsFiles]);
}
