import type { Metadata } from "next";
import Link from "next/link";
import { FollowUpLink } from "@/components/follow-up-link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { LocalTime } from "@/components/local-time";
import { StatusBadge } from "@/components/status-badge";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { firstNameOf } from "@/lib/crm/contact-fields";
import { getContact } from "@/lib/crm/contacts";
import { listContactMessages, listContactReplies, TIMELINE_LIMIT } from "@/lib/crm/timeline";
import { MESSAGE_STATUS_COPY } from "@/lib/mail/outbox-copy";
import { getUnsubscribeState } from "@/lib/outreach/unsubscribe";
import { contactEnrolments, sequenceChoices, sequencesWaitingForReconnect } from "@/lib/outreach/sequence-report";
import { deleteContactAction } from "../actions";
import { DeleteContact } from "./delete-contact";
import { SubscriptionStatus } from "./subscription-status";
import { ContactLocalTime } from "./contact-local-time";
import { SequencesPanel } from "./sequences-panel";

export const metadata: Metadata = { title: "Contact" };

const NOTICES: Record<string, string> = { created: "Contact saved.", saved: "Changes saved." };

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-slate-500">{term}</dt>
      <dd className="font-medium break-words">{children}</dd>
    </div>
  );
}

export default async function ContactPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ notice?: string | string[] }>;
}) {
  const user = await requireUser();
  const [{ id }, { notice }] = await Promise.all([params, searchParams]);
  const contact = await getContact(user.id, id);
  if (!contact) notFound();
  const timeline = await listContactMessages(user.id, contact);
  const [subscription, replies, enrolments, sequences, waitingSequences] = await Promise.all([
    getUnsubscribeState(user.id, contact.id),
    listContactReplies(user.id, contact.id),
    contactEnrolments(user.id, contact.id),
    sequenceChoices(user.id),
    sequencesWaitingForReconnect(user.id),
  ]);
  const displayName = contact.name || contact.email;
  // The timeline's rows: each email, and each reply that stopped a sequence, newest first.
  const entries = [
    ...timeline.map((item) => ({ kind: "message" as const, at: item.at, item })),
    ...replies.map((reply) => ({ kind: "reply" as const, at: reply.at, reply })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
  const lastSent = timeline.find((item) => item.status === "SENT")?.at;
  const lastContacted =
    contact.lastContactedAt && (!lastSent || contact.lastContactedAt > lastSent) ? contact.lastContactedAt : lastSent;
  // Own keys only: ?notice=constructor would otherwise render a function (a 500).
  const noticeText = typeof notice === "string" && Object.hasOwn(NOTICES, notice) ? NOTICES[notice] : undefined;

  return (
    <div className="space-y-8">
      <p className="text-sm">
        <Link href="/contacts" className="font-medium text-brand-700 underline">
          ← All contacts
        </Link>
      </p>
      {noticeText ? <SuccessNotice>{noticeText}</SuccessNotice> : null}
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold tracking-tight break-words">{displayName}</h1>
          {contact.title || contact.company ? (
            <p className="mt-1 text-slate-600">{[contact.title, contact.company].filter(Boolean).join(", ")}</p>
          ) : null}
        </div>
        <div className="flex flex-wrap items-start gap-2">
          <Link
            href={`/compose?to=${encodeURIComponent(contact.email)}`}
            className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
          >
            Email
          </Link>
          <Link
            href={`/contacts/${contact.id}/edit`}
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
          >
            Edit
          </Link>
          <DeleteContact id={contact.id} name={displayName} action={deleteContactAction} />
        </div>
      </div>

      <section
        aria-labelledby="details-heading"
        className="rounded-lg border border-slate-200 bg-white px-6 py-5 shadow-sm"
      >
        <h2 id="details-heading" className="text-lg font-semibold">
          Details
        </h2>
        <dl className="mt-3 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
          <Detail term="Email">
            <span className="break-all">{contact.email}</span>
          </Detail>
          {contact.phone ? (
            <Detail term="Phone">
              <a href={`tel:${contact.phone.replace(/[^\d+]/g, "")}`} className="text-brand-800 underline">
                {contact.phone}
              </a>
            </Detail>
          ) : null}
          {contact.company ? <Detail term="Company">{contact.company}</Detail> : null}
          {contact.title ? <Detail term="Title">{contact.title}</Detail> : null}
          {contact.timeZone ? (
            <>
              <Detail term="Time zone">{contact.timeZone}</Detail>
              <Detail term="Their time now">
                <ContactLocalTime timeZone={contact.timeZone} />
              </Detail>
            </>
          ) : null}
          {firstNameOf(contact) ? (
            <Detail term="First name">
              {firstNameOf(contact)}
              {contact.firstName.trim() ? null : <span className="font-normal text-slate-500"> (from the name)</span>}
            </Detail>
          ) : null}
          {contact.tags.length > 0 ? (
            <Detail term="Tags">
              <ul aria-label="Tags" className="flex flex-wrap gap-1.5">
                {contact.tags.map((tag) => (
                  <li key={tag.key}>
                    <Link
                      href={`/contacts?tag=${encodeURIComponent(tag.key)}`}
                      className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 underline hover:bg-slate-200"
                    >
                      {tag.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </Detail>
          ) : null}
          <Detail term="Last contacted">
            {lastContacted ? <LocalTime iso={lastContacted.toISOString()} /> : "Never"}
          </Detail>
          <Detail term="Added">
            <LocalTime iso={contact.createdAt.toISOString()} />
          </Detail>
        </dl>
        {contact.notes ? (
          <div className="mt-4 text-sm">
            <h3 className="text-slate-500">Notes</h3>
            <p className="mt-1 whitespace-pre-wrap break-words text-slate-800">{contact.notes}</p>
          </div>
        ) : null}
      </section>

      {subscription ? <SubscriptionStatus contactId={contact.id} state={subscription} /> : null}

      <SequencesPanel
        contactId={contact.id}
        enrolments={enrolments}
        sequences={sequences}
        waitingForReconnect={waitingSequences.length > 0}
      />

      <section aria-labelledby="timeline-heading" className="space-y-3">
        <h2 id="timeline-heading" className="text-lg font-semibold">
          Email to {displayName}
        </h2>
        {timeline.length === 0 && replies.length === 0 ? (
          <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600">
            <p>Nothing sent to {contact.email} from Evergreen yet.</p>
            <Link
              href={`/compose?to=${encodeURIComponent(contact.email)}`}
              className="mt-2 inline-block font-medium text-brand-700 underline"
            >
              Write the first email
            </Link>
          </div>
        ) : (
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                {replies.length > 0
                  ? `Email to ${displayName}, and replies that stopped a sequence, newest first`
                  : `Email to ${displayName}, newest first`}
              </caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    Subject
                  </th>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    Status
                  </th>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    Date
                  </th>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    <span className="sr-only">In Gmail</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {entries.map((entry) => {
                  if (entry.kind === "reply")
                    return (
                      <tr key={entry.reply.enrolmentId}>
                        <th scope="row" className="px-4 py-3 font-medium break-words">
                          Their reply stopped “{entry.reply.sequence.name}”
                        </th>
                        <td className="px-4 py-3">
                          <StatusBadge tone="ok">Replied</StatusBadge>
                        </td>
                        <td className="px-4 py-3 whitespace-nowrap text-slate-700">
                          <LocalTime iso={entry.at.toISOString()} />
                        </td>
                        <td className="px-4 py-3 text-right">
                          <Link
                            href={`/sequences/${entry.reply.sequence.id}`}
                            className="font-medium whitespace-nowrap text-brand-800 underline"
                          >
                            See the sequence
                          </Link>
                        </td>
                      </tr>
                    );
                  const item = entry.item;
                  const copy = MESSAGE_STATUS_COPY[item.status];
                  const subject = item.subject || "(no subject)";
                  const gmailLabel = item.status === "SENT" ? "Open in Gmail" : "Check in Gmail";
                  return (
                    <tr key={item.id}>
                      <th scope="row" className="px-4 py-3 font-medium break-words">
                        {subject}
                        {item.status === "FAILED" && item.lastError ? (
                          <span className="block text-xs font-normal text-red-700">{item.lastError}</span>
                        ) : null}
                      </th>
                      <td className="px-4 py-3">
                        <StatusBadge tone={copy.tone}>{copy.label}</StatusBadge>
                      </td>
                      <td className="px-4 py-3 whitespace-nowrap text-slate-700">
                        <LocalTime iso={item.at.toISOString()} />
                      </td>
                      <td className="space-x-3 px-4 py-3 text-right">
                        {item.status === "SENT" && item.gmailUrl ? (
                          <FollowUpLink messageId={item.id} subject={item.subject} />
                        ) : null}
                        {item.gmailUrl ? (
                          <a
                            href={item.gmailUrl}
                            target="_blank"
                            rel="noopener noreferrer"
                            aria-label={`${gmailLabel}: ${subject} (opens a new tab)`}
                            className="font-medium whitespace-nowrap text-brand-800 underline"
                          >
                            {gmailLabel}
                          </a>
                        ) : (
                          <Link href="/outbox" className="whitespace-nowrap text-slate-600 underline">
                            See outbox
                          </Link>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {timeline.length === TIMELINE_LIMIT ? (
              <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
                The latest {TIMELINE_LIMIT} messages; older ones are in Gmail.
              </p>
            ) : null}
          </div>
        )}
      </section>
    </div>
  );
}
