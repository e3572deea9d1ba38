import type { Metadata } from "next";
import { SubmitButton } from "@/components/submit-button";
import { SuccessNotice } from "@/components/success-notice";
import { isEmailAddress } from "@/lib/mail/email-address";
import { requireUser } from "@/lib/connection/auth";
import { getCurrentConnection, takeCurrentRestoredNotice } from "@/lib/connection/status";
import { describeConnection, restoredNoticeText } from "@/lib/connection/copy";
import {
  MAX_ATTACHMENTS,
  MAX_ATTACHMENTS_BYTES,
  MAX_BODY_LENGTH,
  MAX_RECIPIENTS,
  MAX_SCHEDULE_MS,
  MAX_SUBJECT_LENGTH,
  MIN_SCHEDULE_MS,
} from "@/lib/mail/compose";
import { recipientSuggestions } from "@/lib/mail/recipient-suggestions";
import { listSuppressions } from "@/lib/outreach/unsubscribe";
import { templatesForCompose } from "@/lib/outreach/template-store";
import { reconnectGmailFromComposeAction } from "../connection-actions";
import type { ComposeLimits } from "./compose-rules";
import { Composer } from "./composer";
import type { FollowUpPrefill } from "./use-draft-session";
import { findFollowUpSource } from "@/lib/mail/follow-up";
import { followUpSubject } from "@/lib/mail/follow-up-rules";

export const metadata: Metadata = { title: "Compose" };

const LIMITS: ComposeLimits = {
  maxRecipients: MAX_RECIPIENTS,
  maxSubjectLength: MAX_SUBJECT_LENGTH,
  maxBodyLength: MAX_BODY_LENGTH,
  attachments: { maxCount: MAX_ATTACHMENTS, maxBytes: MAX_ATTACHMENTS_BYTES },
  schedule: { minMs: MIN_SCHEDULE_MS, maxMs: MAX_SCHEDULE_MS },
};

export default async function ComposePage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[]; to?: string | string[]; followUp?: string | string[] }>;
}) {
  const user = await requireUser();
  const { notice, to, followUp: followUpId } = await searchParams;
  // /compose?followUp=<id> (a sent email's Follow up): only the user's own sent email is followed up on.
  const followUpSource =
    typeof followUpId === "string" && followUpId.length <= 64 ? await findFollowUpSource(user.id, followUpId) : null;
  const followUp: FollowUpPrefill | undefined = followUpSource
    ? {
        id: followUpSource.id,
        subject: followUpSource.subject,
        sentAt: followUpSource.sentAt.toISOString(),
        to: followUpSource.to,
        cc: followUpSource.cc,
        replySubject: followUpSubject(followUpSource.subject),
      }
    : undefined;
  // /compose?to=… (a contact's Email action) fills To; anything but one valid address is ignored.
  const prefillTo =
    typeof to === "string" && isEmailAddress(to.trim().toLowerCase()) ? to.trim().toLowerCase() : undefined;
  const [connection, suggestions, templates, suppressions] = await Promise.all([
    getCurrentConnection(user.id),
    recipientSuggestions(user.id),
    templatesForCompose(user.id, { to: prefillTo, senderName: user.name }),
    listSuppressions(user.id),
  ]);
  const copy = connection ? describeConnection(connection) : undefined;
  // As on settings: a reconnect that restored a broken connection is announced once, by the layout.
  const restoredByLayout = connection?.restoredAt ? await takeCurrentRestoredNotice(user.id) : null;
  const reconnected = notice === "reconnected" && connection?.status === "CONNECTED" && !restoredByLayout;
  const canSend = connection?.status === "CONNECTED";

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">{followUp ? "Follow up" : "New message"}</h1>
      {followUpId !== undefined && !followUp ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950">
          That email cannot be followed up on: it is not one of your sent emails. Write a new message instead.
        </p>
      ) : null}
      {reconnected ? <SuccessNotice>{restoredNoticeText("reconnect", connection.googleEmail)}</SuccessNotice> : null}
      {canSend ? (
        <p className="flex items-center gap-2 text-sm text-slate-700">
          <span aria-hidden className="size-2 rounded-full bg-emerald-500" />
          <span>
            Sending from <strong className="font-semibold break-all">{connection.googleEmail ?? user.email}</strong> via
            Gmail
          </span>
        </p>
      ) : (
        <section
          aria-label="Sending from Gmail"
          className="flex flex-col gap-3 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950 sm:flex-row sm:items-center sm:justify-between"
        >
          <p>
            <strong className="font-semibold">{copy ? `Gmail: ${copy.title}.` : "Gmail is not connected."}</strong>{" "}
            Evergreen cannot send from {connection?.googleEmail ?? "your Gmail address"} right now. Keep writing: your
            draft stays on this device while you reconnect (attached files do not: attach them again after), and
            anything you send waits until Gmail is connected again.
          </p>
          <form action={reconnectGmailFromComposeAction} className="shrink-0">
            <SubmitButton pendingLabel="Opening Google…">
              {copy?.action === "reconnect" ? "Reconnect Gmail, keep this draft" : "Connect Gmail, keep this draft"}
            </SubmitButton>
          </form>
        </section>
      )}
      <Composer
        userId={user.id}
        suggestions={suggestions}
        limits={LIMITS}
        prefillTo={prefillTo}
        followUp={followUp}
        templates={templates}
        unsubscribed={suppressions.map(({ email, unsubscribedAt }) => ({ email, at: unsubscribedAt.toISOString() }))}
      />
    </div>
  );
}
