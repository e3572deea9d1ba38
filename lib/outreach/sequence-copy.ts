import type { StatusCopy } from "../connection/copy";
import type { EnrolOutcome } from "./sequences";

/** A sequence's words: an enrolment's state and step, enrolment results and waits, as the pages say them. */

export type EnrolmentStateName = "ACTIVE" | "REPLIED" | "FINISHED" | "STOPPED";

export const ENROLMENT_STATE_COPY: Record<EnrolmentStateName, { label: string; tone: StatusCopy["tone"] }> = {
  ACTIVE: { label: "Active", tone: "ok" },
  REPLIED: { label: "Replied", tone: "ok" },
  FINISHED: { label: "Finished", tone: "off" },
  STOPPED: { label: "Stopped", tone: "off" },
};

const plural = (count: number, one: string, many: string) =>
  `${count.toLocaleString("en")} ${count === 1 ? one : many}`;

/**
 * Where an enrolment stands: the step it is on while active ("Step 2 of 3", `step` being the next step,
 * 0-based), else how many steps went out ("1 of 3 sent").
 */
export function enrolmentStepText(state: EnrolmentStateName, step: number, stepCount: number): string {
  if (state === "ACTIVE") return `Step ${Math.min(step + 1, stepCount)} of ${stepCount}`;
  return step === 0 ? "Nothing sent" : `${Math.min(step, stepCount)} of ${stepCount} sent`;
}

/** "Enrolled 3 contacts. 1 was already in this sequence. 2 were not enrolled: they unsubscribed." */
export function enrolOutcomeText({ enrolled, alreadyEnrolled, unsubscribed }: EnrolOutcome): string {
  const parts = [enrolled === 0 ? "No contact was enrolled." : `Enrolled ${plural(enrolled, "contact", "contacts")}.`];
  if (alreadyEnrolled > 0)
    parts.push(`${plural(alreadyEnrolled, "was", "were")} already in this sequence, and stay where they are.`);
  if (unsubscribed > 0)
    parts.push(`${plural(unsubscribed, "contact was", "contacts were")} not enrolled because they unsubscribed.`);
  return parts.join(" ");
}

/** The sequence page's banner while Gmail needs reconnecting. */
export function waitingForReconnectText(count: number): string {
  return `Waiting for Gmail to reconnect: ${plural(count, "contact holds its", "contacts hold their")} place; after you reconnect each resumes with its spacing.`;
}

/** "3 business days after step 1": when a follow-up goes, for the sequence page. */
export function stepWaitText(position: number, delayDays: number, businessDays: boolean): string {
  if (position === 0) return "When the contact is enrolled";
  const unit = businessDays ? (delayDays === 1 ? "business day" : "business days") : delayDays === 1 ? "day" : "days";
  return `${delayDays} ${unit} after step ${position}`;
}
