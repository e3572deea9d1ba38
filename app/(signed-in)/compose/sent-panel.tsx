"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { LocalTime } from "@/components/local-time";
import type { MessageStatus } from "@/lib/platform/db";
import { messageStatusAction, type MessageStatusView, type QueuedView } from "./actions";
import { useNow } from "./use-now";

// While the message may still change by itself; anything else is where it stays until the user acts.
const MOVING: MessageStatus[] = ["QUEUED", "SENDING"];
const POLL_MS = 1_500;
const POLL_FOR_MS = 2 * 60_000;

type Props = {
  queued: QueuedView;
  /** What was sent, in a line: its subject and first recipients. */
  summary: string;
  /** When Undo stops working, on this browser's clock. */
  undoUntil: number;
  /** Takes the message back; resolves with why it could not, or null once it did. */
  onUndo: () => Promise<string | null>;
  onWriteAnother: () => void;
  announce: (text: string) => void;
};

/** After Send: Undo with its countdown, then where the message stands; or when a scheduled one goes out. */
export function SentPanel({ queued, summary, undoUntil, onUndo, onWriteAnother, announce }: Props) {
  const now = useNow(250);
  const [undoing, setUndoing] = useState(false);
  const [undoProblem, setUndoProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<MessageStatusView | null>(null);
  const writeAnotherRef = useRef<HTMLButtonElement>(null);
  const scheduled = queued.status === "SCHEDULED";
  const inWindow = queued.status === "QUEUED" && now < undoUntil && !undoProblem;
  // The clock ticks in quarter seconds, so it may lag the window's start: never show more than the window.
  const secondsLeft = Math.max(1, Math.min(Math.ceil(queued.undoMs / 1000), Math.ceil((undoUntil - now) / 1000)));

  // After the window, ask where the message stands until it settles.
  const watching = !scheduled && !inWindow;
  useEffect(() => {
    if (!watching) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: MessageStatus | undefined;
    const startedAt = Date.now();
    const check = async () => {
      const view = await messageStatusAction(queued.id).catch(() => null);
      if (stopped) return;
      if (view) {
        if (view.status !== last && !MOVING.includes(view.status))
          announce(view.status === "SENT" ? "Message sent." : `Message ${view.label.toLowerCase()}.`);
        last = view.status;
        setStatus(view);
      }
      if ((!view || MOVING.includes(view.status)) && Date.now() - startedAt < POLL_FOR_MS)
        timer = setTimeout(check, POLL_MS);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [watching, queued.id, announce]);

  // Undo disappears when its window ends: focus, if it was there, goes to the next thing to do.
  useEffect(() => {
    if (!inWindow && (document.activeElement === document.body || document.activeElement === null))
      writeAnotherRef.current?.focus();
  }, [inWindow]);

  const undo = async () => {
    setUndoing(true);
    const problem = await onUndo();
    setUndoing(false);
    if (problem) setUndoProblem(problem);
  };

  const settled = status && !MOVING.includes(status.status);
  const tone =
    status?.status === "SENT"
      ? "border-emerald-200 bg-emerald-50"
      : settled && status.status !== "CANCELLED"
        ? "border-amber-200 bg-amber-50"
        : "border-slate-200 bg-white";

  return (
    <section aria-label="Message status" className={`space-y-4 rounded-lg border p-6 shadow-sm ${tone}`}>
      {scheduled ? (
        <p className="text-lg font-semibold">
          Scheduled for <LocalTime iso={queued.sendAt} />.
        </p>
      ) : inWindow ? (
        <p className="text-lg font-semibold">
          Sending in{" "}
          <span role="timer" className="tabular-nums">
            {secondsLeft}
          </span>{" "}
          {secondsLeft === 1 ? "second" : "seconds"}…
        </p>
      ) : settled ? (
        <div>
          <p className="text-lg font-semibold">{status.status === "SENT" ? "Sent" : status.label}</p>
          <p className="text-sm text-slate-700">{status.detail}</p>
        </div>
      ) : (
        <p className="text-lg font-semibold">Sending…</p>
      )}
      <p className="truncate text-sm text-slate-600">{summary}</p>
      {undoProblem ? (
        <p role="alert" className="text-sm text-slate-700">
          {undoProblem}
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-3">
        {inWindow || scheduled ? (
          <button
            type="button"
            autoFocus
            onClick={undo}
            disabled={undoing}
            className="rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60"
          >
            {undoing ? "Undoing…" : scheduled ? "Cancel scheduled send" : "Undo"}
          </button>
        ) : null}
        <button
          ref={writeAnotherRef}
          type="button"
          onClick={onWriteAnother}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
        >
          Write another message
        </button>
        <Link href="/outbox" className="text-sm font-medium text-brand-800 underline">
          Open the outbox
        </Link>
      </div>
    </section>
  );
}
