import type { AttachmentLimits } from "@/lib/mail/attachment-limits";
import { addAddresses, recipientProblem, splitAddresses } from "@/lib/mail/email-address";
import { localDateTime, scheduleProblem, type ScheduleWindow } from "@/lib/mail/schedule";
import type { Draft, RecipientField } from "./draft";

export type ComposeLimits = {
  maxRecipients: number;
  maxSubjectLength: number;
  maxBodyLength: number;
  attachments: AttachmentLimits;
  schedule: ScheduleWindow;
};

export type Snapshot = { draft: Draft; attachments: File[] };
export type FieldErrors = Record<string, string[] | undefined>;

export const FIELDS: RecipientField[] = ["to", "cc", "bcc"];
export const LABELS: Record<RecipientField, string> = { to: "To", cc: "Cc", bcc: "Bcc" };
// Where each field's error sends the focus, in the order the form shows them.
export const FIELD_INPUTS: Array<[string, string]> = [
  ["to", "compose-to"],
  ["cc", "compose-cc"],
  ["bcc", "compose-bcc"],
  ["sendToUnsubscribed", "compose-send-anyway"],
  ["subject", "compose-subject"],
  ["body", "compose-body"],
  ["attachments", "attachments"],
  ["unsubscribeLink", "compose-unsubscribe-link"],
  ["sendAt", "schedule-date"],
];
export const NOT_SENT_FIELDS = "Not sent: fix what is marked above.";
// The request failed or the server hit an unexpected problem; the key makes a second try safe.
export const NO_ANSWER =
  "Not sent: Evergreen did not get an answer from its server. Your message is still here; press Send again (it will not go out twice).";

/** The typed, not yet chipped text of each recipient box, as recipients. */
export function withTypingCommitted(draft: Draft): Draft {
  const next: Draft = { ...draft, typing: { to: "", cc: "", bcc: "" } };
  for (const field of FIELDS) next[field] = addAddresses(draft[field], splitAddresses(draft.typing[field]));
  return next;
}

// The checks that can be made before uploading anything; the server makes them all again.
export function problemsOf(draft: Draft, limits: ComposeLimits, now: Date): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of FIELDS) {
    const invalid = draft[field].flatMap((recipient) => recipientProblem(LABELS[field], recipient) ?? []);
    if (invalid.length > 0) errors[field] = invalid;
  }
  const add = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  if (draft.to.length === 0) add("to", "To: add at least one recipient.");
  const recipients = draft.to.length + draft.cc.length + draft.bcc.length;
  if (recipients > limits.maxRecipients) {
    add(
      "to",
      `Gmail sends to at most ${limits.maxRecipients} recipients at once (To, Cc and Bcc together); this has ${recipients}.`,
    );
  }
  if (draft.schedule.open) {
    const problem = scheduleProblem(localDateTime(draft.schedule.date, draft.schedule.time), now, limits.schedule);
    if (problem) add("sendAt", problem);
  }
  return errors;
}

export function focusFirstError(errors: FieldErrors) {
  const first = FIELD_INPUTS.find(([field]) => (errors[field]?.length ?? 0) > 0);
  if (first) document.getElementById(first[1])?.focus();
}
