"use client";

import {
  startTransition,
  useActionState,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import { flushSync } from "react-dom";
import { IDLE } from "@/lib/platform/action-state";
import { fitAttachments, type AttachmentLimits } from "@/lib/mail/attachment-limits";
import { addAddresses, recipientProblem, splitAddresses } from "@/lib/mail/email-address";
import type { RecipientSuggestion } from "@/lib/mail/messages";
import { isRateLimitMessage } from "@/lib/http/rate-limit-copy";
import {
  dateInputValue,
  localDateTime,
  scheduleProblem,
  suggestedSendTime,
  timeInputValue,
  type ScheduleWindow,
} from "@/lib/mail/schedule";
import { sendMessageAction, undoSendAction, type ComposeState, type QueuedView } from "./actions";
import { AttachmentsField } from "./attachments-field";
import {
  clearDraft,
  describeDraft,
  emptyDraft,
  isBlank,
  loadDraft,
  newIdempotencyKey,
  registerOpenDraft,
  saveDraft,
  type Draft,
  type RecipientField,
} from "./draft";
import { RecipientsInput, SUGGESTIONS_ID } from "./recipients-input";
import { ScheduleFields } from "./schedule-fields";
import { SentPanel } from "./sent-panel";

export type ComposeLimits = {
  maxRecipients: number;
  maxSubjectLength: number;
  maxBodyLength: number;
  attachments: AttachmentLimits;
  schedule: ScheduleWindow;
};

/** `prefillTo`: an address to add to To when the page opens (a contact's Email action). */
type Props = { userId: string; suggestions: RecipientSuggestion[]; limits: ComposeLimits; prefillTo?: string };

const subscribeToNothing = () => () => {};

/** The compose form. Its draft lives in this browser, so it renders there, not on the server. */
export function Composer(props: Props) {
  const inBrowser = useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
  if (!inBrowser) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500 shadow-sm">
        Opening your draft…
      </p>
    );
  }
  return <ComposeSession {...props} />;
}

type Snapshot = { draft: Draft; attachments: File[] };
type Submission = { formData: FormData; snapshot: Snapshot };
type Sent = { queued: QueuedView; undoUntil: number; snapshot: Snapshot };
type FieldErrors = Record<string, string[] | undefined>;

const FIELDS: RecipientField[] = ["to", "cc", "bcc"];
const LABELS: Record<RecipientField, string> = { to: "To", cc: "Cc", bcc: "Bcc" };
// Where each field's error sends the focus, in the order the form shows them.
const FIELD_INPUTS: Array<[string, string]> = [
  ["to", "compose-to"],
  ["cc", "compose-cc"],
  ["bcc", "compose-bcc"],
  ["subject", "compose-subject"],
  ["body", "compose-body"],
  ["attachments", "attachments"],
  ["sendAt", "schedule-date"],
];
const SAVE_AFTER_MS = 400;
const NOT_SENT_FIELDS = "Not sent: fix what is marked above.";
// The request failed or the server hit an unexpected problem; the key makes a second try safe.
const NO_ANSWER =
  "Not sent: Evergreen did not get an answer from its server. Your message is still here; press Send again (it will not go out twice).";

/** The typed, not yet chipped text of each recipient box, as recipients. */
function withTypingCommitted(draft: Draft): Draft {
  const next: Draft = { ...draft, typing: { to: "", cc: "", bcc: "" } };
  for (const field of FIELDS) next[field] = addAddresses(draft[field], splitAddresses(draft.typing[field]));
  return next;
}

// The checks that can be made before uploading anything; the server makes them all again.
function problemsOf(draft: Draft, limits: ComposeLimits, now: Date): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of FIELDS) {
    const invalid = draft[field].flatMap((recipient) => recipientProblem(LABELS[field], recipient) ?? []);
    if (invalid.length > 0) errors[field] = invalid;
  }
  const add = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  if (draft.to.length === 0) add("to", "To: add at least one recipient.");
  const recipients = draft.to.length + draft.cc.length + draft.bcc.length;
  if (recipients > limits.maxRecipients) {
    add(
      "to",
      `Gmail sends to at most ${limits.maxRecipients} recipients at once (To, Cc and Bcc together); this has ${recipients}.`,
    );
  }
  if (draft.schedule.open) {
    const problem = scheduleProblem(localDateTime(draft.schedule.date, draft.schedule.time), now, limits.schedule);
    if (problem) add("sendAt", problem);
  }
  return errors;
}

function focusFirstError(errors: FieldErrors) {
  const first = FIELD_INPUTS.find(([field]) => (errors[field]?.length ?? 0) > 0);
  if (first) document.getElementById(first[1])?.focus();
}

function ComposeSession({ userId, suggestions, limits, prefillTo }: Props) {
  // A contact's Email action opens a new message to them, unless a draft is being written: then the
  // user chooses (someone's private text must not quietly go to a new person, nor a draft be lost).
  const [opening] = useState(() => {
    const saved = loadDraft(userId);
    if (!prefillTo) return { draft: saved ?? emptyDraft(), ask: null };
    if (!saved || isBlank(saved)) return { draft: { ...emptyDraft(), to: [prefillTo] }, ask: null };
    return { draft: saved, ask: saved.to.includes(prefillTo) ? null : prefillTo };
  });
  const [draft, setDraft] = useState<Draft>(opening.draft);
  const [askAbout, setAskAbout] = useState<string | null>(opening.ask);
  const [savedDraft, setSavedDraft] = useState<Draft | null>(draft);
  const [saveRefused, setSaveRefused] = useState(false);
  const [attachments, setAttachments] = useState<File[]>([]);
  const [attachmentProblem, setAttachmentProblem] = useState<string | null>(null);
  // Each field's errors from the last Send, until that field is edited; and a failure tied to no field.
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  // A sticky notice stays while the user writes (a draft set aside stays restorable until sent or restored).
  const [notice, setNotice] = useState<{ text: string; restore?: Snapshot; sticky?: boolean } | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [dragging, setDragging] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const submitting = useRef(false);
  const latestDraft = useRef(draft);
  const setAside = useRef<Snapshot | null>(null);
  const suggestionSet = new Set(suggestions.map((suggestion) => suggestion.address));

  const announce = useCallback(
    (text: string) => setAnnouncement((previous) => (previous === text ? `${text}\u00a0` : text)),
    [],
  );

  const [state, dispatch, pending] = useActionState(async (previous: ComposeState, submission: Submission) => {
    try {
      const result = await sendMessageAction(previous, submission.formData);
      if (!result.ok) {
        // Errors about something the form does not show (its key) are said once, for the whole form.
        const shown = Object.fromEntries(
          Object.entries(result.fieldErrors ?? {}).filter(([field]) => FIELD_INPUTS.some(([name]) => name === field)),
        );
        const unshown = Object.entries(result.fieldErrors ?? {})
          .filter(([field]) => !(field in shown))
          .flatMap(([, messages]) => messages ?? []);
        setErrors(shown);
        setFailure(unshown.length > 0 ? unshown.join(" ") : result.fieldErrors ? null : (result.message ?? NO_ANSWER));
        // A definite refusal queued nothing, so the next try may use a fresh key.
        setDraft((d) => ({ ...d, idempotencyKey: newIdempotencyKey() }));
      }
      if (result.ok && result.queued) {
        const { queued } = result;
        clearDraft(userId);
        setSent({ queued, undoUntil: Date.now() + queued.undoMs, snapshot: submission.snapshot });
        // A draft set aside for this email comes back for the next one.
        const earlier = setAside.current;
        setAside.current = null;
        setDraft(earlier ? { ...earlier.draft, idempotencyKey: newIdempotencyKey() } : emptyDraft());
        setAttachments(earlier?.attachments ?? []);
        setAttachmentProblem(null);
        setNotice(earlier ? { text: "Your earlier draft is back in the editor." } : null);
        announce(
          queued.status === "SCHEDULED"
            ? "Scheduled."
            : `Sending in ${Math.round(queued.undoMs / 1000)} seconds. Undo is available until then.`,
        );
      }
      return result;
    } catch (error) {
      // A 429 from the request boundary arrives as an error carrying its words; anything else said nothing.
      const message = error instanceof Error && isRateLimitMessage(error.message) ? error.message : NO_ANSWER;
      setFailure(message);
      return { ok: false, message };
    } finally {
      submitting.current = false;
    }
  }, IDLE);

  const hasFieldErrors = Object.values(errors).some((list) => (list?.length ?? 0) > 0);
  const formMessage = hasFieldErrors ? NOT_SENT_FIELDS : failure;

  // Autosave: a moment after the last change, and at once when the page is hidden or left (also in-app).
  useEffect(() => {
    latestDraft.current = draft;
    if (draft === savedDraft) return;
    const timer = setTimeout(() => {
      setSaveRefused(!saveDraft(userId, draft));
      setSavedDraft(draft);
    }, SAVE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [draft, savedDraft, userId]);

  useEffect(() => {
    const flush = () => saveDraft(userId, latestDraft.current);
    const onVisibilityChange = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onVisibilityChange);
    const unregister = registerOpenDraft(userId, () => latestDraft.current);
    return () => {
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onVisibilityChange);
      unregister();
      // Leaving compose by one of the app's own links unmounts it without a pagehide.
      flush();
    };
  }, [userId]);

  // Attachments are not in the saved draft: leaving the page would lose them, so the browser asks first.
  const holdsFiles = attachments.length > 0 && !sent;
  useEffect(() => {
    if (!holdsFiles) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [holdsFiles]);

  // The server refused a field: take the user there.
  useEffect(() => {
    if (!state.ok && state.fieldErrors) focusFirstError(state.fieldErrors);
  }, [state]);

  /** Changes the draft; an error shown for the field being edited goes, since it may no longer hold. */
  const edit = (change: (draft: Draft) => Draft, field?: string) => {
    setDraft(change);
    if (notice && !notice.sticky) setNotice(null);
    if (field && errors[field]) setErrors(({ [field]: _, ...rest }) => rest);
  };

  const addFiles = (incoming: File[]) => {
    if (incoming.length === 0) return;
    const { accepted, refused } = fitAttachments(attachments, incoming, limits.attachments);
    setAttachments([...attachments, ...accepted]);
    setAttachmentProblem(refused);
    if (errors.attachments) setErrors(({ attachments: _, ...rest }) => rest);
    if (accepted.length > 0) announce(`Attached ${accepted.map((file) => file.name).join(", ")}.`);
  };

  const reveal = (field: "cc" | "bcc") => {
    flushSync(() => edit((d) => ({ ...d, [field === "cc" ? "showCc" : "showBcc"]: true })));
    document.getElementById(`compose-${field}`)?.focus();
  };

  const toggleSchedule = () => {
    const open = !draft.schedule.open;
    const suggestion = suggestedSendTime(new Date());
    flushSync(() =>
      edit((d) => ({
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

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting.current || pending) return;
    const ready = withTypingCommitted(draft);
    const problems = problemsOf(ready, limits, new Date());
    if (Object.keys(problems).length > 0) {
      flushSync(() => {
        setDraft(ready);
        setErrors(problems);
        setFailure(null);
      });
      focusFirstError(problems);
      return;
    }
    setDraft(ready);
    setErrors({});
    setFailure(null);
    const formData = new FormData();
    for (const field of FIELDS) for (const address of ready[field]) formData.append(field, address);
    formData.append("subject", ready.subject);
    formData.append("body", ready.body);
    formData.append("idempotencyKey", ready.idempotencyKey);
    if (ready.schedule.open)
      formData.append("sendAt", localDateTime(ready.schedule.date, ready.schedule.time)!.toISOString());
    for (const file of attachments) formData.append("attachments", file, file.name);
    submitting.current = true;
    startTransition(() => dispatch({ formData, snapshot: { draft: ready, attachments } }));
  };

  const sendOnCtrlEnter = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    formRef.current?.requestSubmit();
  };

  const undo = async (): Promise<string | null> => {
    if (!sent) return null;
    const result = await undoSendAction(sent.queued.id).catch(() => null);
    if (!result) return "Evergreen could not reach its server to undo; the message may still go out.";
    if (!result.ok) return result.message ?? "Too late to undo.";
    const scheduled = sent.queued.status === "SCHEDULED";
    const text = scheduled
      ? "Scheduled send cancelled. Your message is back in the editor."
      : "Not sent. Your message is back in the editor.";
    // A draft that came back to the editor after the send is set aside again, not overwritten.
    const earlier = isBlank(draft) && attachments.length === 0 ? null : { draft, attachments };
    setAside.current = earlier;
    flushSync(() => {
      // A new key: the old one names the cancelled message.
      setDraft({ ...sent.snapshot.draft, idempotencyKey: newIdempotencyKey() });
      setAttachments(sent.snapshot.attachments);
      setSent(null);
      // "Sending in 10 seconds" no longer holds; the notice below says what happened.
      setAnnouncement("");
      setNotice(
        earlier
          ? {
              text: `${text} Your earlier draft ${describeDraft(earlier.draft)} is set aside.`,
              restore: earlier,
              sticky: true,
            }
          : { text },
      );
    });
    document.getElementById("compose-body")?.focus();
    return null;
  };

  const writeAnother = () => {
    flushSync(() => {
      setSent(null);
      setAnnouncement("");
      setNotice(null);
    });
    document.getElementById("compose-to")?.focus();
  };

  const startNewTo = (address: string) => {
    setAside.current = { draft, attachments };
    flushSync(() => {
      setNotice({
        text: `Your earlier draft ${describeDraft(draft)} is set aside.`,
        restore: { draft, attachments },
        sticky: true,
      });
      setDraft({ ...emptyDraft(), to: [address] });
      setAttachments([]);
      setErrors({});
      setFailure(null);
      setAskAbout(null);
    });
    document.getElementById("compose-subject")?.focus();
  };

  const addToDraft = (address: string) => {
    flushSync(() => {
      setDraft((d) => ({ ...d, to: addAddresses(d.to, [address]) }));
      setAskAbout(null);
    });
    announce(`Added ${address} to To.`);
    document.getElementById("compose-body")?.focus();
  };

  const discard = () => {
    setNotice({ text: "Draft discarded.", restore: { draft, attachments } });
    setDraft(emptyDraft());
    setAttachments([]);
    setAttachmentProblem(null);
    setErrors({});
    setFailure(null);
  };

  const restore = (snapshot: Snapshot) => {
    setAside.current = null;
    setDraft(snapshot.draft);
    setAttachments(snapshot.attachments);
    setNotice(null);
    announce("Draft restored.");
  };

  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    if (!dragging) setDragging(true);
  };

  const draftStatus = saveRefused
    ? "This browser did not let Evergreen save the draft."
    : isBlank(draft)
      ? "Drafts are saved on this device as you type."
      : draft === savedDraft
        ? "Draft saved on this device."
        : "Saving draft…";

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
    <div className="space-y-4">
      <p role="status" className="sr-only">
        {announcement}
      </p>
      <datalist id={SUGGESTIONS_ID}>
        {suggestions.map(({ address, name }) => (
          <option key={address} value={address} label={name || undefined} />
        ))}
      </datalist>

      {/* Always present, so what appears in it is announced. */}
      <div
        role="status"
        className={
          notice
            ? "flex flex-wrap items-center gap-3 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-800"
            : undefined
        }
      >
        {notice ? <span>{notice.text}</span> : null}
        {notice?.restore ? (
          <button
            type="button"
            onClick={() => restore(notice.restore!)}
            className="font-medium text-brand-800 underline"
          >
            Restore it
          </button>
        ) : null}
      </div>

      {askAbout && !sent ? (
        <div
          role="group"
          aria-labelledby="unsent-draft-question"
          className="space-y-3 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950"
        >
          <p id="unsent-draft-question">
            You have an unsent draft, {describeDraft(draft)}. Write to {askAbout} in a new email, or add them to this
            draft?
          </p>
          <div className="flex flex-wrap gap-3">
            <button
              type="button"
              autoFocus
              onClick={() => startNewTo(askAbout)}
              className="rounded-md bg-brand-700 px-3 py-1.5 font-medium text-white hover:bg-brand-800"
            >
              New email to {askAbout}
            </button>
            <button
              type="button"
              onClick={() => addToDraft(askAbout)}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50"
            >
              Add to this draft
            </button>
          </div>
        </div>
      ) : null}

      {sent ? (
        <SentPanel
          key={sent.queued.id}
          queued={sent.queued}
          summary={describeDraft(sent.snapshot.draft)}
          undoUntil={sent.undoUntil}
          onUndo={undo}
          onWriteAnother={writeAnother}
          announce={announce}
        />
      ) : (
        <form
          ref={formRef}
          aria-label="New message"
          noValidate
          onSubmit={submit}
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
            addFiles([...event.dataTransfer.files]);
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

          <div className="space-y-3">
            <div className="flex items-start gap-2">
              <div className="flex-1">
                <RecipientsInput
                  id="compose-to"
                  label="To"
                  chips={draft.to}
                  typing={draft.typing.to}
                  onChange={({ chips, typing }) =>
                    edit((d) => ({ ...d, to: chips, typing: { ...d.typing, to: typing } }), "to")
                  }
                  suggestions={suggestionSet}
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
                    edit((d) => ({ ...d, [field]: chips, typing: { ...d.typing, [field]: typing } }), field)
                  }
                  suggestions={suggestionSet}
                  errors={errors[field]}
                  announce={announce}
                />
              ) : null,
            )}
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
                  edit((d) => ({ ...d, subject }), "subject");
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
                edit((d) => ({ ...d, body }), "body");
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
            onAdd={addFiles}
            onRemove={(index) => {
              const removed = attachments[index];
              setAttachments(attachments.filter((_, n) => n !== index));
              setAttachmentProblem(null);
              if (removed) announce(`Removed ${removed.name}.`);
            }}
            errors={[attachmentProblem, ...(errors.attachments ?? [])].filter((error): error is string => !!error)}
          />

          {draft.schedule.open ? (
            <ScheduleFields
              date={draft.schedule.date}
              time={draft.schedule.time}
              window={limits.schedule}
              onChange={({ date, time }) => edit((d) => ({ ...d, schedule: { ...d.schedule, date, time } }), "sendAt")}
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
              <button type="button" onClick={discard} className="text-sm text-slate-600 underline hover:text-slate-900">
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
      )}
    </div>
  );
}
