"use client";

import Link from "next/link";
import { useActionState, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";
import type { TemplateField } from "@/lib/outreach/template-rules";
import {
  checkTemplateText,
  KNOWN_FIELDS_TEXT,
  MERGE_FIELDS,
  renderTemplate,
  type MergeValues,
} from "@/lib/outreach/templates";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;
type Values = Record<TemplateField, string>;
type Limits = Record<TemplateField, number>;

const inputClass = (invalid: boolean) =>
  `mt-1 w-full rounded-md border bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none ${invalid ? "border-red-500" : "border-slate-300"}`;

/** A made-up contact the preview writes to. */
const SAMPLE: MergeValues = {
  first_name: "Ada",
  last_name: "Lovelace",
  name: "Ada Lovelace",
  company: "Analytical Engines",
  title: "Head of Research",
  email: "ada@example.com",
};

/** Subject and body as the sample contact would get them, or the first merge-field problem. */
function previewOf(values: Values, sample: MergeValues) {
  for (const field of ["subject", "body"] as const) {
    const checked = checkTemplateText(values[field]);
    if (!checked.ok) return { problem: `${field === "subject" ? "Subject" : "Body"}: ${checked.error}` };
  }
  return { subject: renderTemplate(values.subject, sample).text, body: renderTemplate(values.body, sample).text };
}

/** A template's name, subject and body, for a new template and an edit; the server checks every rule. */
export function TemplateForm({
  action,
  initial,
  templateId,
  submitLabel,
  cancelHref,
  limits,
  senderFirstName,
}: {
  action: Action;
  initial: Values;
  templateId?: string;
  submitLabel: string;
  cancelHref: string;
  limits: Limits;
  senderFirstName: string;
}) {
  const [state, formAction] = useActionState(action, IDLE);
  const [values, setValues] = useState<Values>(initial);
  const [shownState, setShownState] = useState(state);
  const formRef = useRef<HTMLFormElement>(null);
  // Where a field button inserts: the subject or the body, whichever was last in use.
  const target = useRef<"subject" | "body">("body");
  const errors = state.fieldErrors ?? {};

  // What the server echoes after a refusal is what was typed: keep it in the fields.
  if (shownState !== state) {
    setShownState(state);
    if (state.values) setValues({ ...initial, ...state.values });
  }

  // After a refusal, the keyboard lands on the first field to fix.
  useEffect(() => {
    const first = Object.keys(state.fieldErrors ?? {})[0];
    if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [state]);

  const insert = (text: string) => {
    const field = target.current;
    const element = document.getElementById(`template-${field}`) as HTMLInputElement | HTMLTextAreaElement | null;
    const current = values[field];
    const start = element?.selectionStart ?? current.length;
    const end = element?.selectionEnd ?? start;
    flushSync(() => setValues((v) => ({ ...v, [field]: current.slice(0, start) + text + current.slice(end) })));
    element?.focus();
    element?.setSelectionRange(start + text.length, start + text.length);
  };

  const describedBy = (name: TemplateField, hint?: string) =>
    [hint, errors[name]?.length ? `template-${name}-error` : null].filter(Boolean).join(" ") || undefined;
  const errorText = (name: TemplateField) => (
    <div id={`template-${name}-error`} aria-live="polite" className="text-sm text-red-700">
      {errors[name]?.map((error) => (
        <p key={error} className="mt-1">
          {error}
        </p>
      ))}
    </div>
  );
  const field = (name: TemplateField) => ({
    id: `template-${name}`,
    name,
    value: values[name],
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      setValues((v) => ({ ...v, [name]: value }));
    },
    maxLength: limits[name],
    "aria-invalid": errors[name]?.length ? true : undefined,
    className: inputClass(Boolean(errors[name]?.length)),
  });
  const preview = previewOf(values, { ...SAMPLE, my_first_name: senderFirstName });

  return (
    <form
      ref={formRef}
      action={formAction}
      noValidate
      aria-label={submitLabel}
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
    >
      {templateId ? <input type="hidden" name="id" value={templateId} /> : null}
      {state.ok ? null : (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {state.message}
        </p>
      )}
      <div>
        <label htmlFor="template-name" className="text-sm font-medium text-slate-700">
          Name
        </label>
        <input
          {...field("name")}
          type="text"
          required
          autoComplete="off"
          aria-describedby={describedBy("name", "template-name-hint")}
        />
        <p id="template-name-hint" className="mt-1 text-xs text-slate-500">
          For you only: recipients never see it.
        </p>
        {errorText("name")}
      </div>

      <div className="space-y-2 rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-700">
        <p id="template-fields-hint">
          Merge fields are filled in for each person: {KNOWN_FIELDS_TEXT}. When a contact has no value, a fallback after
          a bar is used: <code>{"{{first_name | there}}"}</code> writes “there”.
        </p>
        <div role="group" aria-label="Insert a merge field" className="flex flex-wrap gap-1.5">
          {MERGE_FIELDS.map((name) => (
            <button
              key={name}
              type="button"
              // Keep the cursor where it is in the subject or body until the field goes in.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => insert(`{{${name}}}`)}
              className="rounded border border-slate-300 bg-white px-2 py-0.5 font-mono text-xs text-slate-800 hover:bg-slate-100"
            >
              {`{{${name}}}`}
            </button>
          ))}
        </div>
        <p className="text-xs text-slate-500">A button puts its field where the cursor was, in the subject or body.</p>
      </div>

      <div>
        <label htmlFor="template-subject" className="text-sm font-medium text-slate-700">
          Subject
        </label>
        <input
          {...field("subject")}
          type="text"
          autoComplete="off"
          onFocus={() => (target.current = "subject")}
          aria-describedby={describedBy("subject", "template-fields-hint")}
        />
        {errorText("subject")}
      </div>

      <div>
        <label htmlFor="template-body" className="text-sm font-medium text-slate-700">
          Body
        </label>
        <textarea
          {...field("body")}
          rows={12}
          required
          onFocus={() => (target.current = "body")}
          aria-describedby={describedBy("body", "template-fields-hint")}
        />
        {errorText("body")}
      </div>

      <section aria-labelledby="template-preview-heading" className="rounded-md border border-slate-200 px-4 py-3">
        <h2 id="template-preview-heading" className="text-sm font-semibold text-slate-800">
          Preview for a sample contact, {SAMPLE.name} of {SAMPLE.company}
        </h2>
        {"problem" in preview ? (
          <p className="mt-2 text-sm text-slate-600">
            The preview shows once the merge fields are right. {preview.problem}
          </p>
        ) : (
          <div className="mt-2 space-y-2 text-sm">
            <p className="break-words">
              <span className="text-slate-500">Subject: </span>
              {preview.subject || <span className="text-slate-500 italic">none</span>}
            </p>
            <p className="break-words whitespace-pre-wrap text-slate-800">{preview.body}</p>
          </div>
        )}
      </section>

      <div className="flex flex-wrap items-center gap-4">
        <SubmitButton pendingLabel="Saving…">{submitLabel}</SubmitButton>
        <Link href={cancelHref} className="text-sm font-medium text-slate-700 underline">
          Cancel
        </Link>
      </div>
    </form>
  );
}
