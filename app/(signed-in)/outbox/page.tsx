import type { Metadata } from "next";
import Link from "next/link";
import { FollowUpLink } from "@/components/follow-up-link";
import { LocalTime } from "@/components/local-time";
import { StatusBadge } from "@/components/status-badge";
import { requireUser } from "@/lib/connection/auth";
import { listOutbox, parseOutboxFilter, type OutboxFilter } from "@/lib/mail/outbox-view";
import { sendingPace } from "@/lib/mail/pacing";
import { MESSAGE_STATUS_COPY } from "@/lib/mail/outbox-copy";
import { decideMessageAction } from "./actions";
import { LiveRefresh } from "./live-refresh";
import { MessageActions } from "./message-actions";

export const metadata: Metadata = { title: "Outbox" };

const FILTERS: Array<{ filter: OutboxFilter; label: string }> = [
  { filter: "all", label: "All" },
  { filter: "scheduled", label: "Scheduled" },
  { filter: "queued", label: "Queued" },
  { filter: "waiting", label: "Waiting for reconnect" },
  { filter: "failed", label: "Failed" },
  { filter: "unknown", label: "Unknown" },
  { filter: "sent", label: "Sent" },
];

export default async function OutboxPage({ searchParams }: { searchParams: Promise<{ status?: string | string[] }> }) {
  const user = await requireUser();
  const filter = parseOutboxFilter((await searchParams).status);
  const [{ items, counts }, pace] = await Promise.all([listOutbox(user.id, filter), sendingPace(user.id)]);

  return (
    <div className="space-y-6">
      <LiveRefresh />
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Outbox</h1>
          <p className="mt-1 text-sm text-slate-600">
            Every message you sent from Evergreen, and what Gmail did with it.
          </p>
        </div>
        <Link
          href="/compose"
          className="rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
        >
          Compose
        </Link>
      </div>

      {pace.holdUntil || pace.warning ? (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          You have sent {pace.lastDay.toLocaleString("en")} of Gmail&apos;s {pace.dailyLimit.toLocaleString("en")}{" "}
          messages a day.{" "}
          {pace.holdUntil ? (
            <>
              Sending is held to stay under the limit and resumes by itself at{" "}
              <LocalTime iso={pace.holdUntil.toISOString()} />.
            </>
          ) : (
            "Evergreen holds sending at 95% so that Gmail never blocks your account."
          )}
        </p>
      ) : null}

      <nav aria-label="Filter by status" className="flex flex-wrap gap-2">
        {FILTERS.map(({ filter: option, label }) => (
          <Link
            key={option}
            href={option === "all" ? "/outbox" : `/outbox?status=${option}`}
            aria-current={option === filter ? "page" : undefined}
            className={`rounded-full border px-3 py-1 text-sm ${option === filter ? "border-brand-700 bg-brand-50 font-medium text-brand-800" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
          >
            {label}
            {option !== "all" ? <span className="ml-1 text-slate-500">{counts[option]}</span> : null}
          </Link>
        ))}
      </nav>

      {items.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
          <p>{filter === "all" ? "Nothing sent yet." : "No messages in this state."}</p>
          <Link href="/compose" className="mt-2 inline-block font-medium text-brand-700 underline">
            Write an email
          </Link>
        </div>
      ) : (
        <ul
          aria-label="Messages"
          className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm"
        >
          {items.map((item) => {
            const copy = MESSAGE_STATUS_COPY[item.status];
            return (
              <li key={item.id} aria-label={item.subject || "(no subject)"} className="flex flex-col gap-2 px-5 py-4">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <p className="min-w-0 font-medium break-words">{item.subject || "(no subject)"}</p>
                  <StatusBadge tone={copy.tone}>{copy.label}</StatusBadge>
                </div>
                <p className="text-sm break-all text-slate-600">To {item.to.join(", ")}</p>
                <p className="text-sm text-slate-700">
                  {item.status === "SENT" && item.sentAt ? (
                    <>
                      Sent <LocalTime iso={item.sentAt.toISOString()} />.{" "}
                      {item.gmailThreadId ? <FollowUpLink messageId={item.id} subject={item.subject} /> : null}
                    </>
                  ) : (item.status === "SCHEDULED" || item.status === "QUEUED") && item.dueAt ? (
                    <>
                      Due <LocalTime iso={item.dueAt.toISOString()} />. {copy.next}
                    </>
                  ) : (
                    <>
                      {item.lastError ? `${item.lastError} ` : ""}
                      {copy.next}
                    </>
                  )}
                </p>
                <MessageActions id={item.id} status={item.status} subject={item.subject} action={decideMessageAction} />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
