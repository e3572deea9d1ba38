"use client";

import { ActionForm } from "@/components/action-form";
import { enrolInSequenceAction, markContactRepliedAction } from "../../sequences/actions";
import { EnrolForm } from "../enrol-form";

/** "Enrol in sequence" and "Mark as replied" (every sequence this contact is in stops) on a contact's page. */
export function ContactSequenceForms({
  contactId,
  sequences,
  canMarkReplied,
}: {
  contactId: string;
  sequences: Array<{ id: string; name: string }>;
  canMarkReplied: boolean;
}) {
  return (
    <div className="flex flex-wrap items-start gap-x-8 gap-y-4">
      <EnrolForm
        id="contact-enrol"
        action={enrolInSequenceAction}
        sequences={sequences}
        target={<input type="hidden" name="contactId" value={contactId} />}
      />
      {canMarkReplied ? (
        <ActionForm
          action={markContactRepliedAction}
          hidden={{ contactId }}
          label="Mark as replied"
          submit="Mark as replied"
          pendingLabel="Saving…"
          variant="secondary"
          className="space-y-3 pt-6"
        />
      ) : null}
    </div>
  );
}
