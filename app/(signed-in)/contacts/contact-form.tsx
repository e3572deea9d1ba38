"use client";

import Link from "next/link";
import { useActionState, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";
import { TAG_LIMITS, type ContactFormField } from "@/lib/crm/contact-fields";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

const FIELDS: Array<{
  name: Exclude<ContactFormField, "notes" | "tags">;
  label: string;
  type?: string;
  hint?: string;
  list?: string;
}> = [
  { name: "name", label: "Name" },
  { name: "firstName", label: "First name", hint: "Leave empty to use the first word of the name." },
  { name: "email", label: "Email", type: "email", hint: "Required. One contact per address." },
  { name: "company", label: "Company" },
  { name: "title", label: "Title", hint: "Their job title, like Head of Sales." },
  { name: "phone", label: "Phone", type: "tel" },
  {
    name: "timeZone",
    label: "Time zone",
    hint: "A name like Europe/Paris. Leave empty to use yours.",
    list: "contact-time-zones",
  },
];

const subscribeToNothing = () => () => {};

const inputClass = (invalid: boolean) =>
  `mt-1 w-full rounded-md border bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none ${invalid ? "border-red-500" : "border-slate-300"}`;

/** The contact's fields, for both a new contact and an edit; the server checks every rule. */
export function ContactForm({
  action,
  initial,
  contactId,
  submitLabel,
  cancelHref,
}: {
  action: Action;
  initial: Record<ContactFormField, string>;
  contactId?: string;
  submitLabel: string;
  cancelHref: string;
}) {
  const [state, formAction] = useActionState(action, IDLE);
  const formRef = useRef<HTMLFormElement>(null);
  const values = state.values ?? initial;
  const errors = state.fieldErrors ?? {};
  // The zone list comes from the browser after hydration, so the server's list never has to match it.
  const inBrowser = useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
  const zones = useMemo(
    () =>
      inBrowser && typeof Intl.supportedValuesOf === "function"
        ? [...new Set(["UTC", ...Intl.supportedValuesOf("timeZone")])]
        : [],
    [inBrowser],
  );

  // After a refusal, the keyboard lands on the first field to fix, in the order the form shows them.
  useEffect(() => {
    if (Object.keys(state.fieldErrors ?? {}).length > 0)
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state]);

  const describedBy = (name: string, hint?: string) =>
    [hint ? `contact-${name}-hint` : null, errors[name]?.length ? `contact-${name}-error` : null]
      .filter(Boolean)
      .join(" ") || undefined;
  const errorText = (name: string) => (
    <div id={`contact-${name}-error`} aria-live="polite" className="text-sm text-red-700">
      {errors[name]?.map((error) => (
        <p key={error} className="mt-1">
          {error}
        </p>
      ))}
    </div>
  );

  return (
    <form
      ref={formRef}
      action={formAction}
      noValidate
      aria-label={submitLabel}
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
    >
      {contactId ? <input type="hidden" name="id" value={contactId} /> : null}
      <p role="status" aria-live="polite" className={state.message ? "text-sm font-medium text-red-700" : "sr-only"}>
        {state.ok ? "" : state.message}
      </p>
      <div className="grid gap-5 sm:grid-cols-2">
        {FIELDS.map((field) => (
          <div key={field.name}>
            <label htmlFor={`contact-${field.name}`} className="text-sm font-medium text-slate-700">
              {field.label}
            </label>
            <input
              id={`contact-${field.name}`}
              name={field.name}
              type={field.type ?? "text"}
              required={field.name === "email"}
              autoComplete="off"
              list={field.list}
              defaultValue={values[field.name]}
              aria-invalid={errors[field.name]?.length ? true : undefined}
              aria-describedby={describedBy(field.name, field.hint)}
              className={inputClass(Boolean(errors[field.name]?.length))}
            />
            {field.hint ? (
              <p id={`contact-${field.name}-hint`} className="mt-1 text-xs text-slate-500">
                {field.hint}
              </p>
            ) : null}
            {errorText(field.name)}
          </div>
        ))}
      </div>
      <datalist id="contact-time-zones">
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      <div>
        <label htmlFor="contact-tags" className="text-sm font-medium text-slate-700">
          Tags
        </label>
        <input
          id="contact-tags"
          name="tags"
          type="text"
          autoComplete="off"
          defaultValue={values.tags}
          aria-invalid={errors.tags?.length ? true : undefined}
          aria-describedby={describedBy("tags", "hint")}
          className={inputClass(Boolean(errors.tags?.length))}
        />
        <p id="contact-tags-hint" className="mt-1 text-xs text-slate-500">
          Separate tags with commas, like vip, customer. Up to {TAG_LIMITS.perContact} tags of {TAG_LIMITS.length}{" "}
          characters each; the contacts list filters by them.
        </p>
        {errorText("tags")}
      </div>
      <div>
        <label htmlFor="contact-notes" className="text-sm font-medium text-slate-700">
          Notes
        </label>
        <textarea
          id="contact-notes"
          name="notes"
          rows={5}
          defaultValue={values.notes}
          aria-invalid={errors.notes?.length ? true : undefined}
          aria-describedby={describedBy("notes")}
          className={inputClass(Boolean(errors.notes?.length))}
        />
        {errorText("notes")}
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
