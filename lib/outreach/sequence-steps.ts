import { MAX_SUBJECT_LENGTH } from "../mail/compose";
import { followUpSubject } from "../mail/follow-up-rules";
import type { SendWindow } from "./merge-schedule";
import { stepDueAt } from "./sequence-schedule";
import { headerTextProblem } from "./merge-rules";
import { FIELD_LABELS } from "./merge-report";
import { mergeValuesOf, renderTemplate } from "./templates";

/**
 * What one step of a sequence is for one contact, shared by the feeder (which sends it) and the
 * sequence page (which previews and forecasts it): the window read in the contact's own time zone, and
 * the step's subject and body rendered with the contact's fields. Pure.
 */

export type SequenceWindowColumns = {
  windowDays: number;
  windowStartMinute: number;
  windowEndMinute: number;
  /** The sender's zone: the window's zone for contacts without their own. */
  timeZone: string;
};

/** The sequence's window in the recipient's zone (the contact's, else the sender's). */
export function sequenceWindowFor(sequence: SequenceWindowColumns, contact: { timeZone: string } | null): SendWindow {
  return {
    days: sequence.windowDays,
    startMinute: sequence.windowStartMinute,
    endMinute: sequence.windowEndMinute,
    timeZone: contact?.timeZone || sequence.timeZone,
  };
}

export type StepText = { subject: string; body: string };
export type StepContact = { name: string; firstName: string; email: string; company: string; title: string };

/**
 * A step's subject and body for one contact. A follow-up (`threadSubject` given: the subject the first
 * email went out with) is "Re: " and that subject, so Gmail keeps it in the thread whatever version
 * the contact is on now. Never "Hi ,": a field with no value and no inline fallback is a reason not
 * to send.
 */
export function renderStep(
  step: StepText,
  contact: StepContact,
  sender: { name: string | null },
  threadSubject?: string,
): { ok: true; subject: string; body: string } | { ok: false; reason: string } {
  const values = mergeValuesOf(contact, sender);
  const own = threadSubject === undefined ? renderTemplate(step.subject, values) : undefined;
  const body = renderTemplate(step.body, values);
  const missing = [...new Set([...(own?.missing ?? []), ...body.missing])];
  if (missing.length > 0)
    return { ok: false, reason: `No ${missing.map((field) => FIELD_LABELS[field]).join(", ")} (and no fallback).` };
  const subject = own ? own.text.trim() : followUpSubject(threadSubject!);
  const problem =
    headerTextProblem("The subject", subject) ??
    (subject.length > MAX_SUBJECT_LENGTH ? `The subject is over ${MAX_SUBJECT_LENGTH} characters.` : undefined);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, subject, body: body.text };
}

/** When `step` is due after the one before left at `from`: its wait, then the window (at `from` if the window never opens). */
export function nextStepDue(from: Date, step: { delayDays: number; businessDays: boolean }, window: SendWindow): Date {
  const due = stepDueAt(from.getTime(), { days: step.delayDays, businessDays: step.businessDays }, window);
  return new Date(due ?? from.getTime());
}
