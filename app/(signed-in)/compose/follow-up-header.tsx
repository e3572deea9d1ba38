"use client";

import { LocalTime } from "@/components/local-time";
import { followUpSubject, sameThreadSubject } from "@/lib/mail/follow-up-rules";
import type { FollowUpOf } from "./draft";

/** Says what a follow-up answers and that it stays in that Gmail thread, while its subject lets it. */
export function FollowUpHeader({
  followUp,
  subject,
  onSendAsNew,
}: {
  followUp: FollowUpOf;
  /** The subject as typed now. */
  subject: string;
  onSendAsNew: () => void;
}) {
  const staysInThread = sameThreadSubject(followUp.subject, subject);
  return (
    <section
      aria-label="Follow-up"
      className="space-y-2 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-950"
    >
      <p>
        Follow-up to <strong className="font-semibold">“{followUp.subject || "(no subject)"}”</strong>, sent{" "}
        <LocalTime iso={followUp.sentAt} />.{" "}
        {staysInThread
          ? "It goes into the same Gmail thread."
          : `With this subject Gmail starts a new thread; keep “${followUpSubject(followUp.subject)}” to stay in the thread.`}
      </p>
      <button type="button" onClick={onSendAsNew} className="font-medium text-sky-900 underline">
        Send as a new email instead
      </button>
    </section>
  );
}
