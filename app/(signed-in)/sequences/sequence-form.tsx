"use client";

import Link from "next/link";
import { useActionState, useEffect, useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { Field, inputClass } from "@/components/action-form";
import { SendWindowFields } from "@/components/send-window-fields";
import { SubmitButton } from "@/components/submit-button";
import type { ActionState } from "@/lib/platform/action-state";
import type { SequenceFormValues } from "@/lib/outreach/sequence-rules";
import { sequenceValuesFromEcho } from "./form-values";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;
type Step = { key: string; subject: string; body: string; delay: string; business: boolean };
export type TemplateChoice = { id: string; name: string; subject: string; body: string };

const NEW_FOLLOW_UP = { subject: "", body: "", delay: "3", business: true };

/** The steps as the editor holds them; `keyPrefix` tells one set of steps (the first, an echo) from another. */
function stepsOf(values: SequenceFormValues, keyPrefix: string): Step[] {
  return values.steps.map((step, index) => ({
    key: `${keyPrefix}-${index}`,
    subject: step.subject,
    body: step.body,
    delay: index === 0 ? "" : step.delay,
    business: step.business === "on",
  }));
}

function dayMask(days: string[]): number {
  return days.reduce((mask, day) => (/^[0-6]$/.test(day) ? mask | (1 << Number(day)) : mask), 0);
}

/**
 * A sequence's name, send window and steps, for a new sequence and an edit. The first step is an email
 * with its subject; "Add a follow-up" adds a step sent N days (business days by default) after the one
 * before, in the same thread. A template can fill a step. The server checks every rule.
 */
export function SequenceForm({
  action,
  initial,
  sequenceId,
  submitLabel,
  cancelHref,
  templates,
  maxSteps,
  knownFields,
}: {
  action: Action;
  initial: SequenceFormValues;
  sequenceId?: string;
  submitLabel: string;
  cancelHref: string;
  templates: TemplateChoice[];
  maxSteps: number;
  knownFields: string;
}) {
  const [state, formAction] = useActionState(action, { ok: true });
  const added = useRef(0);
  const [name, setName] = useState(initial.name);
  const [steps, setSteps] = useState<Step[]>(() => stepsOf(initial, "initial"));
  const [echoes, setEchoes] = useState(0);
  const [windowValues, setWindowValues] = useState(initial);
  const [shownState, setShownState] = useState(state);
  const formRef = useRef<HTMLFormElement>(null);
  const idBase = useId();
  const errors = state.fieldErrors ?? {};

  // What the server echoes after a refusal is what was typed: keep it in the fields.
  if (shownState !== state) {
    setShownState(state);
    if (state.values) {
      const echoed = sequenceValuesFromEcho(state.values);
      setName(echoed.name);
      setWindowValues(echoed);
      setEchoes(echoes + 1);
      if (echoed.steps.length > 0) setSteps(stepsOf(echoed, `echo${echoes + 1}`));
    }
  }

  // After a refusal, the keyboard lands on the field to fix.
  useEffect(() => {
    const first = Object.keys(state.fieldErrors ?? {})[0];
    if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [state]);

  const change = (index: number, patch: Partial<Step>) =>
    setSteps((current) => current.map((step, at) => (at === index ? { ...step, ...patch } : step)));
  const addFollowUp = () => {
    added.current += 1;
    const key = `added${added.current}`;
    flushSync(() => setSteps((current) => [...current, { key, ...NEW_FOLLOW_UP }]));
    document.getElementById(`${idBase}-step-${steps.length}-delay`)?.focus();
  };
  const removeStep = (index: number) => {
    flushSync(() => setSteps((current) => current.filter((_, at) => at !== index)));
    document.getElementById(`${idBase}-add`)?.focus();
  };

  const invalid = (field: string) => Boolean(errors[field]?.length);

  return (
    <form
      ref={formRef}
      action={formAction}
      noValidate
      aria-label={submitLabel}
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
    >
      {sequenceId ? <input type="hidden" name="sequenceId" value={sequenceId} /> : null}
      {state.ok ? null : (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {state.message}
        </p>
      )}
      <Field id={`${idBase}-name`} label="Name" hint="For you only: contacts never see it." errors={errors.name}>
        {(props) => (
          <input
            {...props}
            name="name"
            type="text"
            autoComplete="off"
            value={name}
            onChange={(event) => setName(event.target.value)}
            className={inputClass(invalid("name"))}
          />
        )}
      </Field>

      <SendWindowFields
        // Remounted with what a refused form echoed: its fields are uncontrolled, and a reset would undo them.
        key={`${windowValues.timeZone}|${windowValues.days.join()}|${windowValues.from}|${windowValues.to}`}
        idPrefix={`${idBase}-window`}
        legend="When steps may go out"
        initial={{
          days: dayMask(windowValues.days),
          from: windowValues.from,
          to: windowValues.to,
          timeZone: windowValues.timeZone || undefined,
        }}
        errors={errors}
        zoneHint="Each contact gets the window in their own time zone; this one is for contacts without one."
      />

      <p className="text-sm text-slate-600">
        Merge fields are filled in for each contact: {knownFields}. A fallback for an empty one:{" "}
        <code>{"{{first_name | there}}"}</code>. An unsubscribe link is added below every email.
      </p>

      {steps.map((step, index) => {
        const field = (part: string) => `step-${index}-${part}`;
        const id = (part: string) => `${idBase}-step-${index}-${part}`;
        return (
          <fieldset key={step.key} className="space-y-3 rounded-md border border-slate-200 p-4">
            <legend className="px-1 text-sm font-semibold text-slate-800">
              {index === 0 ? "Step 1: the first email" : `Step ${index + 1}: a follow-up in the same thread`}
            </legend>
            {index > 0 ? (
              <>
                <Field
                  id={id("delay")}
                  label="Wait (days)"
                  hint={`After step ${index} went out, counted in the contact's time zone; then the next opening of the window. Its subject is “Re:” and the first email's.`}
                  errors={errors[field("delay")]}
                >
                  {(props) => (
                    <input
                      {...props}
                      name={field("delay")}
                      type="text"
                      inputMode="numeric"
                      autoComplete="off"
                      value={step.delay}
                      onChange={(event) => change(index, { delay: event.target.value })}
                      className={`${inputClass(invalid(field("delay")))} block max-w-24`}
                    />
                  )}
                </Field>
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input
                    type="checkbox"
                    name={field("business")}
                    checked={step.business}
                    onChange={(event) => change(index, { business: event.target.checked })}
                  />{" "}
                  Business days only
                </label>
              </>
            ) : (
              <Field id={id("subject")} label="Subject" errors={errors[field("subject")]}>
                {(props) => (
                  <input
                    {...props}
                    name={field("subject")}
                    type="text"
                    autoComplete="off"
                    value={step.subject}
                    onChange={(event) => change(index, { subject: event.target.value })}
                    className={inputClass(invalid(field("subject")))}
                  />
                )}
              </Field>
            )}
            <Field id={id("body")} label="Message" errors={errors[field("body")]}>
              {(props) => (
                <textarea
                  {...props}
                  name={field("body")}
                  rows={index === 0 ? 8 : 5}
                  value={step.body}
                  onChange={(event) => change(index, { body: event.target.value })}
                  className={inputClass(invalid(field("body")))}
                />
              )}
            </Field>
            <div className="flex flex-wrap items-end gap-3">
              {templates.length > 0 ? (
                <TemplateFill
                  id={id("template")}
                  templates={templates}
                  followUp={index > 0}
                  onFill={(template) =>
                    change(
                      index,
                      index === 0 ? { subject: template.subject, body: template.body } : { body: template.body },
                    )
                  }
                />
              ) : null}
              {index > 0 ? (
                <button
                  type="button"
                  onClick={() => removeStep(index)}
                  className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
                >
                  Remove step {index + 1}
                </button>
              ) : null}
            </div>
          </fieldset>
        );
      })}

      <div className="space-y-1">
        <button
          id={`${idBase}-add`}
          type="button"
          onClick={addFollowUp}
          disabled={steps.length >= maxSteps}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:text-slate-400"
        >
          Add a follow-up
        </button>
        {steps.length >= maxSteps ? (
          <p className="text-xs text-slate-500">A sequence has at most {maxSteps} steps.</p>
        ) : null}
        {templates.length === 0 ? (
          <p className="text-xs text-slate-500">
            <Link href="/templates/new" className="font-medium text-brand-700 underline">
              Write a template
            </Link>{" "}
            to start steps from it.
          </p>
        ) : null}
      </div>

      <div className="flex flex-wrap items-center gap-4">
        <SubmitButton pendingLabel="Saving…">{submitLabel}</SubmitButton>
        <Link href={cancelHref} className="text-sm font-medium text-slate-700 underline">
          Cancel
        </Link>
      </div>
    </form>
  );
}

/** "Start from a template": copies a template's subject (first email only) and body into a step. */
function TemplateFill({
  id,
  templates,
  followUp,
  onFill,
}: {
  id: string;
  templates: TemplateChoice[];
  followUp: boolean;
  onFill: (template: TemplateChoice) => void;
}) {
  const [chosen, setChosen] = useState(templates[0]?.id ?? "");
  const [filled, setFilled] = useState("");
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-700">
          Start from a template
        </label>
        <select
          id={id}
          value={chosen}
          onChange={(event) => setChosen(event.target.value)}
          className={inputClass(false)}
        >
          {templates.map((template) => (
            <option key={template.id} value={template.id}>
              {template.name}
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        onClick={() => {
          const template = templates.find((candidate) => candidate.id === chosen);
          if (!template) return;
          onFill(template);
          setFilled(
            followUp
              ? `Message filled from “${template.name}” (a follow-up keeps the thread's subject).`
              : `Subject and message filled from “${template.name}”.`,
          );
        }}
        className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
      >
        Fill from template
      </button>
      <p role="status" className="basis-full text-xs text-emerald-800">
        {filled}
      </p>
    </div>
  );
}
