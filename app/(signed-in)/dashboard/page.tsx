import Link from "next/link";
import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { ConnectionHealth } from "@/components/connection-health";
import { StatusBadge } from "@/components/status-badge";
import { requireUser } from "@/lib/connection/auth";
import { getCurrentConnection } from "@/lib/connection/status";
import { describeConnection, reapproveNotice } from "@/lib/connection/copy";
import { getDashboard } from "@/lib/crm/dashboard";
import { mergesWaitingForReconnect } from "@/lib/outreach/merge-report";
import { sequencesWaitingForReconnect } from "@/lib/outreach/sequence-report";
import { reconnectGmailAction } from "../connection-actions";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser();
  const [connection, { counts, recent, contactCount }, waitingMerges, waitingSequences] = await Promise.all([
    getCurrentConnection(user.id),
    getDashboard(user.id),
    mergesWaitingForReconnect(user.id),
    sequencesWaitingForReconnect(user.id),
  ]);
  const copy = connection ? describeConnection(connection) : undefined;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Welcome{user.name ? `, ${user.name.split(" ")[0]}` : ""}</h1>
        <p className="mt-1 text-slate-600">Your CRM, sending from your own Gmail address.</p>
      </div>
      <section
        aria-labelledby="gmail-heading"
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
      >
        <div className="flex items-center justify-between gap-4">
          <h2 id="gmail-heading" className="text-lg font-semibold">
            Gmail connection
          </h2>
          {copy ? <StatusBadge tone={copy.tone}>{copy.title}</StatusBadge> : null}
        </div>
        {connection && copy ? (
          <>
            <ConnectionHealth
              copy={copy}
              reapprove={reapproveNotice(connection.testingExpiry)}
              reconnectAction={reconnectGmailAction}
            />
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
              <div>
                <dt className="text-slate-500">Gmail address</dt>
                <dd className="font-medium break-all">{connection.googleEmail ?? "Unknown"}</dd>
              </div>
              {connection.lastRefreshedAt ? (
                <div>
                  <dt className="text-slate-500">Last renewed</dt>
                  <dd className="font-medium">
                    <LocalTime iso={connection.lastRefreshedAt.toISOString()} />
                  </dd>
                </div>
              ) : null}
            </dl>
          </>
        ) : (
          <p className="text-sm text-slate-600">No Google account is linked yet.</p>
        )}
        <p className="text-sm">
          <Link href="/settings" className="font-medium text-brand-700 underline">
            Connection settings
          </Link>
        </p>
      </section>

      <section
        aria-labelledby="outbox-heading"
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
      >
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="outbox-heading" className="text-lg font-semibold">
            Outbox
          </h2>
          <Link
            href="/compose"
            className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
          >
            Compose
          </Link>
        </div>
        {Object.values(counts).every((count) => count === 0) ? (
          <p className="text-sm text-slate-600">
            Nothing sent yet.{" "}
            <Link href="/compose" className="font-medium text-brand-700 underline">
              Write your first email
            </Link>
            : it goes out from your own Gmail address.
          </p>
        ) : (
          <ul aria-label="Outbox summary" className="grid grid-cols-2 gap-3 sm:grid-cols-3">
            {OUTBOX_SUMMARY.map(({ filter, label }) => (
              <li key={filter}>
                <Link
                  href={`/outbox?status=${filter}`}
                  className="block rounded-md border border-slate-200 px-3 py-2 hover:bg-slate-50"
                >
                  <span className="block text-2xl font-semibold">{counts[filter]}</span>
                  <span className="text-sm text-slate-600">{label}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        {waitingMerges.length > 0 ? (
          <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
            <p className="font-medium">
              {waitingMerges.length === 1 ? "A merge is" : `${waitingMerges.length} merges are`} waiting for reconnect:
            </p>
            <ul className="mt-1 list-disc pl-5">
              {waitingMerges.map((merge) => (
                <li key={merge.id}>
                  <Link href={`/merges/${merge.id}`} className="underline">
                    {merge.name}
                  </Link>
                </li>
              ))}
            </ul>
            <p className="mt-1">Reconnect Gmail and each resumes in order at its pace.</p>
          </div>
        ) : null}
        {waitingSequences.length > 0 ? (
          <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
            <p className="font-medium">
              {waitingSequences.length === 1 ? "A sequence is" : `${waitingSequences.length} sequences are`} waiting for
              reconnect:
            </p>
            <ul className="mt-1 list-disc pl-5">
              {waitingSequences.map((sequence) => (
                <li key={sequence.id}>
                  <Link href={`/sequences/${sequence.id}`} className="underline">
                    {sequence.name}
                  </Link>
                  : {sequence.waiting.toLocaleString("en")}{" "}
                  {sequence.waiting === 1 ? "contact holds its" : "contacts hold their"} place
                </li>
              ))}
            </ul>
            <p className="mt-1">Reconnect Gmail and each resumes with its spacing, never all at once.</p>
          </div>
        ) : null}
      </section>

      <div className="grid gap-8 md:grid-cols-[1fr_2fr]">
        <section
          aria-labelledby="contacts-heading"
          className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        >
          <h2 id="contacts-heading" className="text-lg font-semibold">
            Contacts
          </h2>
          {contactCount === 0 ? (
            <p className="text-sm text-slate-600">
              No contacts yet.{" "}
              <Link href="/contacts/new" className="font-medium text-brand-700 underline">
                Add one
              </Link>{" "}
              or{" "}
              <Link href="/contacts/import" className="font-medium text-brand-700 underline">
                import a CSV
              </Link>
              .
            </p>
          ) : (
            <p className="text-sm text-slate-700">
              <Link href="/contacts" className="font-medium text-brand-700 underline">
                {contactCount.toLocaleString("en")} {contactCount === 1 ? "contact" : "contacts"}
              </Link>
            </p>
          )}
        </section>
        <section
          aria-labelledby="activity-heading"
          className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        >
          <h2 id="activity-heading" className="text-lg font-semibold">
            Recent activity
          </h2>
          {recent.length === 0 ? (
            <p className="text-sm text-slate-600">Emails you send appear here.</p>
          ) : (
            <ul aria-label="Recently sent" className="divide-y divide-slate-100 text-sm">
              {recent.map((message) => (
                <li key={message.id} className="flex flex-col gap-0.5 py-2 sm:flex-row sm:justify-between sm:gap-4">
                  <span className="min-w-0 break-words">
                    <span className="font-medium">{message.subject || "(no subject)"}</span>
                    <span className="text-slate-600"> to {message.to.join(", ")}</span>
                  </span>
                  {message.sentAt ? (
                    <span className="shrink-0 text-slate-500">
                      <LocalTime iso={message.sentAt.toISOString()} />
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

const OUTBOX_SUMMARY = [
  { filter: "scheduled", label: "Scheduled" },
  { filter: "queued", label: "Queued" },
  { filter: "waiting", label: "Waiting for reconnect" },
  { filter: "failed", label: "Failed" },
  { filter: "unknown", label: "Unknown" },
  { filter: "sent", label: "Sent" },
] as const;
