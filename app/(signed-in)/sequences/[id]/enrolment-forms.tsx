"use client";

import { useActionState } from "react";
import { ActionForm, Field, inputClass } from "@/components/action-form";
import { SubmitButton } from "@/components/submit-button";
import type { EnrolmentStateName } from "@/lib/outreach/sequence-copy";
import { changeEnrolmentAction, enrolInSequenceAction, moveToCurrentVersionAction } from "../actions";

/** An answer beside the buttons that asked for it: a success politely, a refusal in red. */
function Answer({ ok, message }: { ok: boolean; message?: string }) {
  return (
    <p aria-live="polite" className={`text-xs ${ok ? "text-emerald-800" : "font-medium text-red-700"}`}>
      {message ?? ""}
    </p>
  );
}

/**
 * One enrolment's actions: Mark as replied and Remove while it runs (Mark as replied after it finished
 * too), Send now or Skip for a late step, and Move to the newest version for one on an older version.
 */
export function EnrolmentActions({
  sequenceId,
  enrolmentId,
  who,
  state,
  late,
  moveTo,
}: {
  sequenceId: string;
  enrolmentId: string;
  /** The contact's name, for screen readers: each row's buttons say whose they are. */
  who: string;
  state: EnrolmentStateName;
  late: boolean;
  /** The newest version's number, for an active enrolment on an older one. */
  moveTo?: number;
}) {
  const [changed, change] = useActionState(changeEnrolmentAction, { ok: true });
  const [moved, move] = useActionState(moveToCurrentVersionAction, { ok: true });
  const forWhom = <span className="sr-only"> for {who}</span>;
  const command = (value: string, label: string, pending: string, variant: "primary" | "secondary" = "secondary") => (
    <SubmitButton name="command" value={value} pendingLabel={pending} variant={variant}>
      {label}
      {forWhom}
    </SubmitButton>
  );
  if (state === "REPLIED" || state === "STOPPED") return null;
  return (
    <div className="space-y-1">
      <form action={change} className="flex flex-wrap gap-2">
        <input type="hidden" name="enrolmentId" value={enrolmentId} />
        {late ? command("send", "Send now", "Sending…", "primary") : null}
        {late ? command("skip", "Skip", "Skipping…") : null}
        {command("replied", "Mark as replied", "Saving…")}
        {state === "ACTIVE" ? command("remove", "Remove", "Removing…") : null}
      </form>
      <Answer ok={changed.ok} message={changed.message} />
      {moveTo !== undefined ? (
        <form action={move}>
          <input type="hidden" name="sequenceId" value={sequenceId} />
          <input type="hidden" name="enrolmentId" value={enrolmentId} />
          <SubmitButton pendingLabel="Moving…" variant="secondary">
            Move to version {moveTo}
            {forWhom}
          </SubmitButton>
          <Answer ok={moved.ok} message={moved.message} />
        </form>
      ) : null}
    </div>
  );
}

/** Moves every active enrolment on an older version to the newest, each keeping its place. */
export function MoveEveryone({ sequenceId, version, count }: { sequenceId: string; version: number; count: number }) {
  return (
    <ActionForm
      action={moveToCurrentVersionAction}
      hidden={{ sequenceId }}
      label={`Move everyone to version ${version}`}
      submit={`Move everyone to version ${version}`}
      pendingLabel="Moving…"
      variant="secondary"
    >
      {() => (
        <p className="text-sm text-slate-700">
          {count.toLocaleString("en")} active {count === 1 ? "contact is" : "contacts are"} on an older version. Moving
          keeps each one&apos;s place: the step it is due next, from version {version}&apos;s steps.
        </p>
      )}
    </ActionForm>
  );
}

/** Enrols every contact with a tag (those already in the sequence, or unsubscribed, are left out and counted). */
export function EnrolByTag({
  sequenceId,
  tags,
}: {
  sequenceId: string;
  tags: Array<{ key: string; label: string; count: number }>;
}) {
  return (
    <ActionForm
      action={enrolInSequenceAction}
      hidden={{ sequenceId }}
      label="Enrol contacts"
      submit="Enrol"
      pendingLabel="Enrolling…"
      className="flex flex-wrap items-end gap-3"
    >
      {(state) => (
        <Field id="enrol-tag" label="Contacts with the tag" errors={state.fieldErrors?.tag}>
          {(props) => (
            <select
              {...props}
              name="tag"
              defaultValue={state.values?.tag ?? tags[0]?.key}
              className={inputClass(Boolean(state.fieldErrors?.tag))}
            >
              {tags.map((tag) => (
                <option key={tag.key} value={tag.key}>
                  {tag.label} ({tag.count})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </ActionForm>
  );
}
