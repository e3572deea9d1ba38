import type { Metadata } from "next";
import { requireUser } from "@/lib/connection/auth";
import { MAX_STEPS, type SequenceFormValues } from "@/lib/outreach/sequence-rules";
import { listTemplateTexts } from "@/lib/outreach/template-store";
import { KNOWN_FIELDS_TEXT } from "@/lib/outreach/templates";
import { createSequenceAction } from "../actions";
import { SequenceForm } from "../sequence-form";

export const metadata: Metadata = { title: "New sequence" };

/** Weekdays 9:00–17:00 in the browser's zone, and the first email. */
const EMPTY: SequenceFormValues = {
  name: "",
  timeZone: "",
  days: ["1", "2", "3", "4", "5"],
  from: "9:00",
  to: "17:00",
  steps: [{ subject: "", body: "", delay: "", business: "on" }],
};

export default async function NewSequencePage() {
  const user = await requireUser();
  const templates = await listTemplateTexts(user.id);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">New sequence</h1>
        <p className="mt-1 text-sm text-slate-600">
          A first email, then follow-ups in the same Gmail thread, each some days after the one before. Nothing is sent
          until you enrol contacts.
        </p>
      </div>
      <SequenceForm
        action={createSequenceAction}
        initial={EMPTY}
        submitLabel="Save sequence"
        cancelHref="/sequences"
        templates={templates}
        maxSteps={MAX_STEPS}
        knownFields={KNOWN_FIELDS_TEXT}
      />
    </div>
  );
}
