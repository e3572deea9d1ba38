import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/connection/auth";
import { getSequence } from "@/lib/outreach/sequence-report";
import { MAX_STEPS, sequenceFormValues } from "@/lib/outreach/sequence-rules";
import { listTemplateTexts } from "@/lib/outreach/template-store";
import { KNOWN_FIELDS_TEXT } from "@/lib/outreach/templates";
import { updateSequenceAction } from "../../actions";
import { SequenceForm } from "../../sequence-form";

export const metadata: Metadata = { title: "Edit sequence" };

export default async function EditSequencePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const [sequence, templates] = await Promise.all([getSequence(user.id, id), listTemplateTexts(user.id)]);
  if (!sequence) notFound();
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href={`/sequences/${sequence.id}`} className="font-medium text-brand-700 underline">
          ← Back to the sequence
        </Link>
      </p>
      <div>
        <h1 className="text-2xl font-bold tracking-tight break-words">Edit {sequence.name}</h1>
        <p className="mt-1 text-sm text-slate-600">
          The name and the window apply at once. Changed steps are saved as version {sequence.currentVersion + 1}: new
          enrolments follow it, and contacts already enrolled stay on their version until you move them.
        </p>
      </div>
      <SequenceForm
        action={updateSequenceAction}
        initial={sequenceFormValues(sequence)}
        sequenceId={sequence.id}
        submitLabel="Save changes"
        cancelHref={`/sequences/${sequence.id}`}
        templates={templates}
        maxSteps={MAX_STEPS}
        knownFields={KNOWN_FIELDS_TEXT}
      />
    </div>
  );
}
