"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { controlMergeAction, deleteDraftMergeAction } from "../actions";
import { ActionForm } from "@/components/action-form";

/** Pause, resume and cancel, offered for the state the merge is in. */
export function RunControls({ mergeId, status }: { mergeId: string; status: string }) {
  return (
    <div className="flex flex-wrap gap-3">
      {status === "RUNNING" ? (
        <ActionForm
          action={controlMergeAction}
          hidden={{ mergeId, command: "pause" }}
          label="Pause"
          submit="Pause"
          pendingLabel="Pausing…"
          variant="secondary"
        />
      ) : null}
      {status === "PAUSED" ? (
        <ActionForm
          action={controlMergeAction}
          hidden={{ mergeId, command: "resume" }}
          label="Resume"
          submit="Resume"
          pendingLabel="Resuming…"
        />
      ) : null}
      {status === "RUNNING" || status === "PAUSED" ? (
        <ActionForm
          action={controlMergeAction}
          hidden={{ mergeId, command: "cancel" }}
          label="Cancel the merge"
          submit="Cancel the merge"
          pendingLabel="Cancelling…"
          variant="danger"
        />
      ) : null}
    </div>
  );
}

export function DeleteDraft({ mergeId }: { mergeId: string }) {
  return (
    <ActionForm
      action={deleteDraftMergeAction}
      hidden={{ mergeId }}
      label="Delete this draft"
      submit="Delete this draft"
      pendingLabel="Deleting…"
      variant="secondary"
    />
  );
}

/** Keeps a running merge's page current: progress, next send time and forecast, every few seconds. */
export function LiveRefresh({ everyMs = 2_000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}
