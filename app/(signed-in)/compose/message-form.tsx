"use client";

import { useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent } from "react";
import { flushSync } from "react-dom";
import { dateInputValue, suggestedSendTime, timeInputValue } from "@/lib/mail/schedule";
import { AttachmentsField } from "./attachments-field";
import { FollowUpHeader } from "./follow-up-header";
import { LABELS, NOT_SENT_FIELDS, type ComposeLimits, type FieldErrors } from "./compose-rules";
import { isBlank, type Draft } from "./draft";
import { RecipientsInput } from "./recipients-input";
import { ScheduleFields } from "./schedule-fields";
import { UnsubscribedWarning, UnsubscribeLinkField, type UnsubscribeControls } from "./unsubscribe-fields";

type Props = {
  draft: Draft;
  /** Each field's errors from the last Send, until that field is edited. */
  errors: FieldErrors;
  /** A failure tied to no field. */
  failure: string | null;
  limits: ComposeLimits;
  suggestions: Set<string>;
  attachments: File[];
  attachmentProblem: string | null;
  pending: boolean;
  draftStatus: string;
  announce: (text: string) => void;
  /** Changes the draft; `field` names the field being edited, whose error then goes. */
  onEdit: (change: (draft: Draft) => Draft, field?: string) => void;
  onAddFiles: (files: File[]) => void;
  onRemoveFile: (index: number) => void;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  onDiscard: () => void;
  unsubscribe: UnsubscribeControls;
};

/** The message being written: recipients, subject, body, attachments, when to send, and Send. */
export function MessageForm({
  draft,
  errors,
  failure,
  limits,
  suggestions,
  attachments,
  attachmentProblem,
  pending,
  draftStatus,
  announce,
  onEdit,
  onAddFiles,
  onRemoveFile,
  onSubmit,
  onDiscard,
  unsubscribe,
}: Props) {
  const [dragging, setDragging] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const hasFieldErrors = Object.values(errors).some((list) => (list?.length ?? 0) > 0);
  const formMessage = hasFieldErrors ? NOT_SENT_FIELDS : failure;

  const reveal = (field: "cc" | "bcc") => {
    flushSync(() => onEdit((d) => ({ ...d, [field === "cc" ? "showCc" : "showBcc"]: true })));
    document.getElementById(`compose-${field}`)?.focus();
  };

  const toggleSchedule = () => {
    const open = !draft.schedule.open;
    const suggestion = suggestedSendTime(new Date());
    flushSync(() =>
      onEdit((d) => ({
        ...d,
        schedule: {
          open,
          date: d.schedule.date || dateInputValue(suggestion),
          time: d.schedule.time || timeInputValue(suggestion),
        },
      })),
    );
    if (open) document.getElementById("schedule-date")?.focus();
  };

  const sendOnCtrlEnter = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    formRef.current?.requestSubmit();
  };

  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    if (!dragging) setDragging(true);
  };

  const inputClass = (invalid: boolean) =>
    `w-full rounded-md border bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none ${invalid ? "border-red-500" : "border-slate-300"}`;
  const fieldError = (field: string, id: string) => (
    <div id={`${id}-error`} aria-live="polite" className="text-sm text-red-700">
      {errors[field]?.map((error) => (
        <p key={error} className="mt-1">
          {error}
        </p>
      ))}
    </div>
  );
  const describedBy = (field: string, id: string) => (errors[field]?.length ? `${id}-error` : undefined);

  return (
    <form
      ref={formRef}
      aria-label="New message"
      noValidate
      onSubmit={onSubmit}
      onKeyDown={sendOnCtrlEnter}
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(event) => {
        if (!event.dataTransfer.types.includes("Files")) return;
        event.preventDefault();
        setDragging(false);
        onAddFiles([...event.dataTransfer.files]);
      }}
      className={`relative space-y-4 rounded-lg border bg-white p-6 shadow-sm ${dragging ? "border-brand-600 ring-2 ring-brand-600" : "border-slate-200"}`}
    >
      {dragging ? (
        <div
          aria-hidden
          className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center rounded-lg bg-brand-50/90 text-lg font-semibold text-brand-800"
        >
          Drop files to attach them
        </div>
      ) : null}

      {draft.followUp ? (
        <FollowUpHeader
          followUp={draft.followUp}
          subject={draft.subject}
          onSendAsNew={() => {
            onEdit(({ followUp: _, ...d }) => d);
            announce("This is now a new email, outside the thread.");
          }}
        />
      ) : null}

      <div className="space-y-3">
        <div className="flex items-start gap-2">
          <div className="flex-1">
            <RecipientsInput
              id="compose-to"
              label="To"
              chips={draft.to}
              typing={draft.typing.to}
              onChange={({ chips, typing }) =>
                onEdit((d) => ({ ...d, to: chips, typing: { ...d.typing, to: typing } }), "to")
              }
              suggestions={suggestions}
              errors={errors.to}
              announce={announce}
            />
          </div>
          <div className="flex gap-1 pt-1.5">
            {draft.showCc ? null : (
              <button
                type="button"
                onClick={() => reveal("cc")}
                className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100"
              >
                Cc
              </button>
            )}
            {draft.showBcc ? null : (
              <button
                type="button"
                onClick={() => reveal("bcc")}
                className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100"
              >
                Bcc
              </button>
            )}
          </div>
        </div>
        {(["cc", "bcc"] as const).map((field) =>
          draft[field === "cc" ? "showCc" : "showBcc"] || draft[field].length > 0 ? (
            <RecipientsInput
              key={field}
              id={`compose-${field}`}
              label={LABELS[field]}
              chips={draft[field]}
              typing={draft.typing[field]}
              onChange={({ chips, typing }) =>
                onEdit((d) => ({ ...d, [field]: chips, typing: { ...d.typing, [field]: typing } }), field)
              }
              suggestions={suggestions}
              errors={errors[field]}
              announce={announce}
            />
          ) : null,
        )}
        <UnsubscribedWarning
          warned={unsubscribe.warned}
          confirmed={unsubscribe.confirmed}
          onConfirm={unsubscribe.onConfirm}
          errors={errors.sendToUnsubscribed}
        />
      </div>

      <div className="grid gap-x-3 gap-y-1 sm:grid-cols-[4rem_1fr] sm:items-start">
        <label htmlFor="compose-subject" className="pt-2 text-sm font-medium text-slate-700">
          Subject
        </label>
        <div>
          <input
            id="compose-subject"
            type="text"
            value={draft.subject}
            maxLength={limits.maxSubjectLength}
            onChange={(event) => {
              const subject = event.currentTarget.value;
              onEdit((d) => ({ ...d, subject }), "subject");
            }}
            aria-invalid={errors.subject?.length ? true : undefined}
            aria-describedby={describedBy("subject", "compose-subject")}
            className={inputClass(Boolean(errors.subject?.length))}
          />
          {fieldError("subject", "compose-subject")}
        </div>
      </div>

      <div className="space-y-1">
        <label htmlFor="compose-body" className="text-sm font-medium text-slate-700">
          Body
        </label>
        <textarea
          id="compose-body"
          rows={12}
          value={draft.body}
          maxLength={limits.maxBodyLength}
          onChange={(event) => {
            const body = event.currentTarget.value;
            onEdit((d) => ({ ...d, body }), "body");
          }}
          aria-invalid={errors.body?.length ? true : undefined}
          aria-describedby={describedBy("body", "compose-body")}
          className={`${inputClass(Boolean(errors.body?.length))} resize-y leading-relaxed`}
        />
        {fieldError("body", "compose-body")}
      </div>

      <AttachmentsField
        files={attachments}
        limits={limits.attachments}
        onAdd={onAddFiles}
        onRemove={onRemoveFile}
        errors={[attachmentProblem, ...(errors.attachments ?? [])].filter((error): error is string => !!error)}
      />

      <UnsubscribeLinkField
        checked={unsubscribe.link}
        draft={draft}
        onChange={unsubscribe.onLink}
        errors={errors.unsubscribeLink}
      />

      {draft.schedule.open ? (
        <ScheduleFields
          date={draft.schedule.date}
          time={draft.schedule.time}
          window={limits.schedule}
          onChange={({ date, time }) => onEdit((d) => ({ ...d, schedule: { ...d.schedule, date, time } }), "sendAt")}
          errors={errors.sendAt}
        />
      ) : null}

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4">
        <button
          type="submit"
          disabled={pending}
          aria-keyshortcuts="Control+Enter Meta+Enter"
          className="inline-flex items-center gap-2 rounded-md bg-brand-700 px-5 py-2 text-sm font-medium text-white hover:bg-brand-800 disabled:bg-brand-700/60"
        >
          {pending ? (
            <>
              <span
                aria-hidden
                className="size-3.5 animate-spin rounded-full border-2 border-current border-t-transparent"
              />
              {draft.schedule.open ? "Scheduling…" : "Sending…"}
            </>
          ) : draft.schedule.open ? (
            "Schedule"
          ) : (
            "Send"
          )}
        </button>
        <button
          type="button"
          aria-expanded={draft.schedule.open}
          onClick={toggleSchedule}
          className={`rounded-md border px-4 py-2 text-sm font-medium text-slate-800 ${draft.schedule.open ? "border-slate-400 bg-slate-100" : "border-slate-300 bg-white hover:bg-slate-50"}`}
        >
          Send later
        </button>
        <span className="hidden text-xs text-slate-500 sm:inline">
          <kbd className="rounded border border-slate-300 px-1">Ctrl</kbd>+
          <kbd className="rounded border border-slate-300 px-1">Enter</kbd> sends
        </span>
        <span className="ml-auto text-xs text-slate-500">{draftStatus}</span>
        {!isBlank(draft) || attachments.length > 0 ? (
          <button type="button" onClick={onDiscard} className="text-sm text-slate-600 underline hover:text-slate-900">
            Discard draft
          </button>
        ) : null}
      </div>
      {formMessage ? (
        <p
          role={hasFieldErrors ? undefined : "alert"}
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900"
        >
          {formMessage}
        </p>
      ) : null}
    </form>
  );
}
