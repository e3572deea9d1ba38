"use client";

import { useActionState, useEffect, useRef, type ReactNode } from "react";
import { SubmitButton } from "@/components/submit-button";
import type { ActionState } from "@/lib/platform/action-state";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * One small form of a page with many (a merge's, a sequence's): its server action's answer is announced
 * beside it (success in green, a refusal in red), and the first field to fix takes the keyboard.
 * `hidden` names what it acts on; `children` receives the answer, so fields can show their own error and
 * keep what was typed.
 */
export function ActionForm({
  action,
  label,
  submit,
  pendingLabel,
  variant,
  hidden,
  className,
  children,
}: {
  action: Action;
  label: string;
  submit: string;
  pendingLabel: string;
  variant?: "primary" | "secondary" | "danger";
  hidden?: Record<string, string>;
  className?: string;
  children?: (state: ActionState) => ReactNode;
}) {
  const [state, formAction] = useActionState(action, { ok: true });
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const first = Object.keys(state.fieldErrors ?? {})[0];
    if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [state]);
  return (
    <form ref={formRef} action={formAction} aria-label={label} noValidate className={className ?? "space-y-3"}>
      {Object.entries(hidden ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children?.(state)}
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel={pendingLabel} variant={variant}>
          {submit}
        </SubmitButton>
        <p
          role={state.ok ? "status" : "alert"}
          aria-live="polite"
          className={`text-sm ${state.ok ? "text-emerald-800" : "font-medium text-red-700"}`}
        >
          {state.message ?? ""}
        </p>
      </div>
    </form>
  );
}

export const inputClass = (invalid: boolean) =>
  `mt-1 w-full rounded-md border bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none ${invalid ? "border-red-500" : "border-slate-300"}`;

/** A labelled field with its hint and its error, wired for screen readers. */
export function Field({
  id,
  label,
  hint,
  errors,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
  children: (props: { id: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({
        id,
        "aria-invalid": errors?.length ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })}
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <div id={`${id}-error`} className="text-sm text-red-700">
        {errors?.map((error) => (
          <p key={error} className="mt-1">
            {error}
          </p>
        ))}
      </div>
    </div>
  );
}
