import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { requireUser } from "@/lib/connection/auth";
import { listSequences } from "@/lib/outreach/sequence-report";

export const metadata: Metadata = { title: "Sequences" };

const newSequenceClass = "rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800";

export default async function SequencesPage() {
  const user = await requireUser();
  const sequences = await listSequences(user.id);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Sequences</h1>
          <p className="mt-1 text-sm text-slate-600">
            A first email and its follow-ups, sent from your Gmail over days or weeks, stopping when the contact
            replies.
          </p>
        </div>
        {sequences.length > 0 ? (
          <Link href="/sequences/new" className={newSequenceClass}>
            New sequence
          </Link>
        ) : null}
      </div>
      {sequences.length === 0 ? (
        <div className="space-y-3 rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-700">
          <h2 className="text-base font-semibold text-slate-900">No sequences yet</h2>
          <p>
            A sequence is a series of emails to each contact you enrol: the first email, then follow-ups in the same
            Gmail thread a few days apart (business days by default), each inside working hours in the contact&apos;s
            own time zone. A contact leaves the sequence when they reply, unsubscribe or you remove them.
          </p>
          <p>
            <Link href="/sequences/new" className={`inline-block ${newSequenceClass}`}>
              New sequence
            </Link>
          </p>
        </div>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white shadow-sm">
          {sequences.map((sequence) => (
            <li key={sequence.id} className="flex flex-wrap items-center justify-between gap-3 p-4">
              <div className="min-w-0">
                <Link href={`/sequences/${sequence.id}`} className="font-medium break-words text-brand-800 underline">
                  {sequence.name}
                </Link>
                <p className="text-sm text-slate-600">
                  {sequence.stepCount} {sequence.stepCount === 1 ? "step" : "steps"} · version {sequence.currentVersion}{" "}
                  · created <LocalTime iso={sequence.createdAt.toISOString()} />
                </p>
              </div>
              <p className="text-sm text-slate-700">
                {sequence.counts.ACTIVE.toLocaleString("en")} active · {sequence.counts.REPLIED.toLocaleString("en")}{" "}
                replied · {sequence.counts.FINISHED.toLocaleString("en")} finished ·{" "}
                {sequence.counts.STOPPED.toLocaleString("en")} stopped
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
