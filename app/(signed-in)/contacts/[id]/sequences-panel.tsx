import Link from "next/link";
import { EnrolmentWhen } from "@/components/enrolment-when";
import { StatusBadge } from "@/components/status-badge";
import { ENROLMENT_STATE_COPY } from "@/lib/outreach/sequence-copy";
import type { contactEnrolments } from "@/lib/outreach/sequence-report";
import { ContactSequenceForms } from "./sequence-forms";

type Enrolment = Awaited<ReturnType<typeof contactEnrolments>>[number];

/** The sequences a contact is in (state, step, what comes next or how it ended), with enrol and mark as replied. */
export function SequencesPanel({
  contactId,
  enrolments,
  sequences,
  waitingForReconnect,
}: {
  contactId: string;
  enrolments: Enrolment[];
  sequences: Array<{ id: string; name: string }>;
  waitingForReconnect: boolean;
}) {
  return (
    <section
      aria-labelledby="sequences-heading"
      className="space-y-3 rounded-lg border border-slate-200 bg-white px-6 py-5 shadow-sm"
    >
      <h2 id="sequences-heading" className="text-lg font-semibold">
        Sequences
      </h2>
      {enrolments.length === 0 ? (
        <p className="text-sm text-slate-600">Not in any sequence.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm">
          {enrolments.map((enrolment) => {
            const copy = ENROLMENT_STATE_COPY[enrolment.state];
            return (
              <li key={enrolment.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
                <Link href={`/sequences/${enrolment.sequence.id}`} className="font-medium text-brand-700 underline">
                  {enrolment.sequence.name}
                </Link>
                <StatusBadge tone={enrolment.late ? "warning" : copy.tone}>
                  {enrolment.late ? "Late" : copy.label}
                </StatusBadge>
                <span>{enrolment.stepText}</span>
                <span className="text-slate-600">
                  <EnrolmentWhen row={enrolment} waiting={waitingForReconnect} />
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <ContactSequenceForms
        contactId={contactId}
        sequences={sequences}
        canMarkReplied={enrolments.some((enrolment) => enrolment.state === "ACTIVE" || enrolment.state === "FINISHED")}
      />
    </section>
  );
}
