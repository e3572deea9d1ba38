"use client";

import { useState } from "react";
import {
  applyTemplateAction,
  saveMergeMessageAction,
  saveTimingAction,
  sendTestAction,
  setFallbackAction,
  skipRecipientsAction,
  startMergeAction,
} from "../actions";
import { ActionForm, Field, inputClass } from "@/components/action-form";
import { SendWindowFields } from "@/components/send-window-fields";

/** The draft's message: name, subject and body with merge fields, and the files every recipient gets. */
export function MergeMessageForm({
  mergeId,
  initial,
  knownFields,
  attachments,
}: {
  mergeId: string;
  initial: { name: string; subject: string; body: string };
  knownFields: string;
  attachments: Array<{ id: string; filename: string; size: string }>;
}) {
  return (
    <ActionForm
      action={saveMergeMessageAction}
      hidden={{ mergeId }}
      label="Message"
      submit="Save message"
      pendingLabel="Saving…"
    >
      {(state) => {
        const values = state.values ?? initial;
        const errors = state.fieldErrors ?? {};
        return (
          <>
            <Field id="merge-name" label="Name" hint="For you only, on the merges list." errors={errors.name}>
              {(props) => (
                <input {...props} name="name" defaultValue={values.name} className={inputClass(Boolean(errors.name))} />
              )}
            </Field>
            <Field id="merge-subject" label="Subject" errors={errors.subject}>
              {(props) => (
                <input
                  {...props}
                  name="subject"
                  defaultValue={values.subject}
                  className={inputClass(Boolean(errors.subject))}
                />
              )}
            </Field>
            <Field
              id="merge-body"
              label="Body"
              hint={`Merge fields: ${knownFields}. A fallback for an empty field: {{first_name | there}}. An unsubscribe link is added below your text.`}
              errors={errors.body}
            >
              {(props) => (
                <textarea
                  {...props}
                  name="body"
                  rows={10}
                  defaultValue={values.body}
                  className={inputClass(Boolean(errors.body))}
                />
              )}
            </Field>
            <Field
              id="merge-attachments"
              label="Attachments"
              hint={
                attachments.length > 0
                  ? `Every recipient gets: ${attachments.map((file) => `${file.filename} (${file.size})`).join(", ")}. Choosing files replaces them.`
                  : "Optional: files every recipient gets (25 MB in all)."
              }
              errors={errors.attachments}
            >
              {(props) => <input {...props} type="file" name="attachments" multiple className="mt-1 block text-sm" />}
            </Field>
            {attachments.length > 0 ? (
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="removeAttachments" value="1" /> Remove the attachments
              </label>
            ) : null}
          </>
        );
      }}
    </ActionForm>
  );
}

export function TemplatePicker({
  mergeId,
  templates,
}: {
  mergeId: string;
  templates: Array<{ id: string; name: string }>;
}) {
  if (templates.length === 0)
    return (
      <p className="text-sm text-slate-600">
        No templates yet.{" "}
        <a href="/templates/new" className="font-medium text-brand-800 underline">
          Create one
        </a>
        , or write the message below.
      </p>
    );
  return (
    <ActionForm
      action={applyTemplateAction}
      hidden={{ mergeId }}
      label="Use a template"
      submit="Use this template"
      pendingLabel="Copying…"
      variant="secondary"
      className="flex flex-wrap items-end gap-3"
    >
      {(state) => (
        <Field id="merge-template" label="Template" errors={state.fieldErrors?.templateId}>
          {(props) => (
            <select {...props} name="templateId" className={inputClass(Boolean(state.fieldErrors?.templateId))}>
              {templates.map((template) => (
                <option key={template.id} value={template.id}>
                  {template.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </ActionForm>
  );
}

/** Sets the merge-wide fallback of one field, for the recipients who lack it. */
export function FallbackForm({
  mergeId,
  field,
  label,
  current,
}: {
  mergeId: string;
  field: string;
  label: string;
  current?: string;
}) {
  return (
    <ActionForm
      action={setFallbackAction}
      hidden={{ mergeId, field }}
      label={`Fallback for ${label}`}
      submit="Set fallback"
      pendingLabel="Saving…"
      variant="secondary"
      className="flex flex-wrap items-end gap-3"
    >
      {(state) => (
        <Field
          id={`fallback-${field}`}
          label={`Fallback for ${label}`}
          hint="Used where a recipient has none, e.g. “there” in “Hi there,”."
          errors={state.fieldErrors?.fallback}
        >
          {(props) => (
            <input
              {...props}
              name="fallback"
              defaultValue={state.values?.fallback ?? current ?? ""}
              className={inputClass(Boolean(state.fieldErrors?.fallback))}
            />
          )}
        </Field>
      )}
    </ActionForm>
  );
}

export function SkipForm({
  mergeId,
  recipientIds,
  label,
  reason,
  include,
}: {
  mergeId: string;
  recipientIds: string[];
  label: string;
  reason: string;
  include?: boolean;
}) {
  return (
    <ActionForm
      action={skipRecipientsAction}
      hidden={{ mergeId, skip: include ? "0" : "1", reason }}
      label={label}
      submit={label}
      pendingLabel="Saving…"
      variant="secondary"
    >
      {() => recipientIds.map((id) => <input key={id} type="hidden" name="recipientId" value={id} />)}
    </ActionForm>
  );
}

/** Scheduled start and send window; the browser turns the local start time into an instant. */
export function TimingForm({
  mergeId,
  initial,
}: {
  mergeId: string;
  initial: { startAt?: string; windowed: boolean; days: number; from: string; to: string; timeZone?: string };
}) {
  const [startLocal, setStartLocal] = useState(initial.startAt ? toLocalInput(new Date(initial.startAt)) : "");
  const startIso = startLocal ? new Date(startLocal).toISOString() : "";
  return (
    <ActionForm
      action={saveTimingAction}
      hidden={{ mergeId }}
      label="Timing"
      submit="Save timing"
      pendingLabel="Saving…"
      variant="secondary"
    >
      {(state) => {
        const errors = state.fieldErrors ?? {};
        return (
          <>
            <input type="hidden" name="startAt" value={Number.isNaN(Date.parse(startIso)) ? "" : startIso} />
            <Field
              id="merge-start"
              label="Start at"
              hint="Leave empty to start when you press Start."
              errors={errors.startAt}
            >
              {(props) => (
                <input
                  {...props}
                  type="datetime-local"
                  name="startAtLocal"
                  value={startLocal}
                  onChange={(event) => setStartLocal(event.target.value)}
                  className={inputClass(Boolean(errors.startAt))}
                />
              )}
            </Field>
            <label className="flex items-center gap-2 text-sm font-medium text-slate-700">
              <input type="checkbox" name="windowed" defaultChecked={initial.windowed} /> Only send inside a window
            </label>
            <SendWindowFields
              idPrefix="merge"
              legend="Days"
              initial={{ ...initial, from: state.values?.from ?? initial.from, to: state.values?.to ?? initial.to }}
              errors={errors}
            />
          </>
        );
      }}
    </ActionForm>
  );
}

function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function SendTestForm({ mergeId, index }: { mergeId: string; index: number }) {
  return (
    <ActionForm
      action={sendTestAction}
      hidden={{ mergeId, index: String(index) }}
      label="Send a test to me"
      submit="Send a test to me"
      pendingLabel="Sending…"
      variant="secondary"
    />
  );
}

export function StartForm({ mergeId, count }: { mergeId: string; count: number }) {
  return (
    <ActionForm
      action={startMergeAction}
      hidden={{ mergeId }}
      label="Start the merge"
      submit={`Start: email ${count.toLocaleString("en")} ${count === 1 ? "recipient" : "recipients"}`}
      pendingLabel="Starting…"
    />
  );
}
