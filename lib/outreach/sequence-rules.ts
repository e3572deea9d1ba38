import { MAX_SUBJECT_LENGTH } from "../mail/compose";
import { UserError } from "../platform/errors";
import { canonicalTimeZone } from "../platform/time-zones";
import { formText } from "../platform/action-state";
import { clock, parseClock, type SendWindow } from "./merge-schedule";
import { headerTextProblem } from "./merge-rules";
import { checkTemplateText } from "./templates";
import type { StepDelay } from "./sequence-schedule";

/**
 * The sequence form's rules: a name, a send window (read in each recipient's time zone, the sender's
 * zone standing in for contacts without one) and 1–10 steps. The first step is an email with its own
 * subject; every later one is a follow-up N days after the one before, in the first email's thread,
 * so its subject is "Re: " and the first's and is not asked for. Errors name the field and the fix.
 */

export const MAX_STEPS = 10;
export const MAX_STEP_DELAY_DAYS = 60;
const MAX_NAME = 100;
const MAX_BODY = 100_000;
// The body may have line breaks and tabs, no other control character (as templates).
const BODY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\p{Cs}]/u;

export type StepInput = StepDelay & { subject: string; body: string };

export type SequenceInput = {
  name: string;
  window: SendWindow;
  steps: StepInput[];
};

/** The raw form: `name`, `timeZone`, `days` (0–6, repeated), `from`, `to`, and per step i `step-i-subject`, `step-i-body`, `step-i-delay`, `step-i-business`. */
export function readSequenceForm(form: FormData): SequenceFormValues {
  const steps: SequenceFormValues["steps"] = [];
  for (let i = 0; i < MAX_STEPS + 1; i += 1) {
    if (!form.has(`step-${i}-body`)) break;
    steps.push({
      subject: formText(form, `step-${i}-subject`),
      body: formText(form, `step-${i}-body`),
      delay: formText(form, `step-${i}-delay`),
      business: formText(form, `step-${i}-business`) !== "" ? "on" : "",
    });
  }
  return {
    name: formText(form, "name"),
    timeZone: formText(form, "timeZone"),
    days: form.getAll("days").filter((value): value is string => typeof value === "string"),
    from: formText(form, "from"),
    to: formText(form, "to"),
    steps,
  };
}

export type SequenceFormValues = {
  name: string;
  timeZone: string;
  days: string[];
  from: string;
  to: string;
  steps: Array<{ subject: string; body: string; delay: string; business: string }>;
};

/** The checked sequence, or a UserError at the first field that is wrong (`step-2-body`, `from`, …). */
export function parseSequence(values: SequenceFormValues): SequenceInput {
  const name = values.name.trim();
  if (!name)
    throw new UserError("Name is required: call it something you will recognise, like Trial follow-up.", "name");
  if (name.length > MAX_NAME)
    throw new UserError(`Name is too long: keep it to ${MAX_NAME} characters or fewer.`, "name");
  const nameProblem = headerTextProblem("Name", name);
  if (nameProblem) throw new UserError(nameProblem, "name");

  const timeZone = canonicalTimeZone(values.timeZone.trim());
  if (!timeZone) throw new UserError("Time zone: pick one from the list, like Europe/Paris.", "timeZone");
  const days = values.days.reduce((mask, day) => (/^[0-6]$/.test(day) ? mask | (1 << Number(day)) : mask), 0);
  if (days === 0) throw new UserError("Days: tick at least one day to send on.", "days");
  const startMinute = parseClock(values.from);
  const endMinute = parseClock(values.to);
  if (startMinute === undefined) throw new UserError("From: type a time like 9:00.", "from");
  if (endMinute === undefined) throw new UserError("To: type a time like 17:00.", "to");
  if (endMinute <= startMinute)
    throw new UserError("To: the window must end after it starts (for example 9:00 to 17:00).", "to");

  if (values.steps.length === 0) throw new UserError("Steps: add the first email.", "step-0-body");
  if (values.steps.length > MAX_STEPS)
    throw new UserError(`Steps: a sequence has at most ${MAX_STEPS} steps; remove one.`, `step-${MAX_STEPS}-body`);
  const steps = values.steps.map((step, index) => parseStep(step, index));
  return { name, window: { days, startMinute, endMinute, timeZone }, steps };
}

function parseStep(step: SequenceFormValues["steps"][number], index: number): StepInput {
  const label = `Step ${index + 1}`;
  const field = (name: string) => `step-${index}-${name}`;
  let subject = "";
  if (index === 0) {
    subject = step.subject.trim();
    if (!subject) throw new UserError(`${label} subject is required: the first email needs one.`, field("subject"));
    if (subject.length > MAX_SUBJECT_LENGTH)
      throw new UserError(
        `${label} subject is too long: keep it to ${MAX_SUBJECT_LENGTH} characters.`,
        field("subject"),
      );
    const problem = headerTextProblem(`${label} subject`, subject) ?? templateProblem(`${label} subject`, subject);
    if (problem) throw new UserError(problem, field("subject"));
  }
  const body = step.body.replace(/\r\n?/g, "\n");
  if (!body.trim()) throw new UserError(`${label} message is required: write what this email says.`, field("body"));
  if (body.length > MAX_BODY)
    throw new UserError(
      `${label} message is too long: keep it to ${MAX_BODY.toLocaleString("en")} characters.`,
      field("body"),
    );
  if (BODY_CONTROL.test(body))
    throw new UserError(`${label} message cannot contain control characters; remove them.`, field("body"));
  const bodyProblem = templateProblem(`${label} message`, body);
  if (bodyProblem) throw new UserError(bodyProblem, field("body"));

  if (index === 0) return { subject, body, days: 0, businessDays: true };
  const delay = step.delay.trim();
  if (!/^\d{1,3}$/.test(delay) || Number(delay) < 1 || Number(delay) > MAX_STEP_DELAY_DAYS)
    throw new UserError(
      `${label} wait: type a whole number of days from 1 to ${MAX_STEP_DELAY_DAYS}, like 3.`,
      field("delay"),
    );
  return { subject: "", body, days: Number(delay), businessDays: step.business === "on" };
}

function templateProblem(label: string, text: string): string | undefined {
  const checked = checkTemplateText(text);
  return checked.ok ? undefined : `${label}: ${checked.error[0]!.toLowerCase()}${checked.error.slice(1)}`;
}

/** The form's values for a stored sequence (editing starts from the current version). */
export function sequenceFormValues(sequence: {
  name: string;
  timeZone: string;
  windowDays: number;
  windowStartMinute: number;
  windowEndMinute: number;
  steps: Array<{ subject: string; body: string; delayDays: number; businessDays: boolean }>;
}): SequenceFormValues {
  return {
    name: sequence.name,
    timeZone: sequence.timeZone,
    days: [0, 1, 2, 3, 4, 5, 6].filter((day) => sequence.windowDays & (1 << day)).map(String),
    from: clock(sequence.windowStartMinute),
    to: clock(sequence.windowEndMinute),
    steps: sequence.steps.map((step) => ({
      subject: step.subject,
      body: step.body,
      delay: String(step.delayDays),
      business: step.businessDays ? "on" : "",
    })),
  };
}
