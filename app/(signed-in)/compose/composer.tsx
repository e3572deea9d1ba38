"use client";

import {
  startTransition,
  useActionState,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type FormEvent,
} from "react";
import { flushSync } from "react-dom";
import { IDLE } from "@/lib/platform/action-state";
import { fitAttachments } from "@/lib/mail/attachment-limits";
import { addAddresses } from "@/lib/mail/email-address";
import type { RecipientSuggestion } from "@/lib/mail/recipient-suggestions";
import { isRateLimitMessage } from "@/lib/http/rate-limit-copy";
import { localDateTime } from "@/lib/mail/schedule";
import { sendMessageAction, undoSendAction, type ComposeState, type QueuedView } from "./actions";
import {
  FIELD_INPUTS,
  FIELDS,
  NO_ANSWER,
  focusFirstError,
  problemsOf,
  withTypingCommitted,
  type ComposeLimits,
  type FieldErrors,
  type Snapshot,
} from "./compose-rules";
import { NoticeBar, UnsentDraftQuestion, type Notice } from "./compose-notices";
import { clearDraft, describeDraft, emptyDraft, isBlank, newIdempotencyKey, type Draft } from "./draft";
import { MessageForm } from "./message-form";
import { SUGGESTIONS_ID } from "./recipients-input";
import { SentPanel } from "./sent-panel";
import { TemplatePicker, type TemplateChoices } from "./template-picker";
import { unsubscribeProblems, warnedRecipients, type UnsubscribedRecipient } from "./unsubscribe-fields";
import { openDraft, useDraftAutosave, useLeaveWarning, type FollowUpPrefill } from "./use-draft-session";

/**
 * `prefillTo`: an address to add to To when the page opens (a contact's Email action). `followUp`: the
 * sent email a Follow up answers (its recipients, "Re:" subject and thread).
 */
type Props = {
  userId: string;
  suggestions: RecipientSuggestion[];
  limits: ComposeLimits;
  prefillTo?: string;
  followUp?: FollowUpPrefill;
  templates?: TemplateChoices;
  /** Addresses that unsubscribed from the user's emails: compose asks before sending to one. */
  unsubscribed?: UnsubscribedRecipient[];
};

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

type Submission = { formData: FormData; snapshot: Snapshot; unsubscribeLink: boolean };
type Sent = { queued: QueuedView; undoUntil: number; snapshot: Snapshot; unsubscribeLink: boolean };

function ComposeSession({ userId, suggestions, limits, prefillTo, followUp, templates, unsubscribed = [] }: Props) {
  const [opening] = useState(() => openDraft(userId, prefillTo, followUp));
  const [draft, setDraft] = useState<Draft>(opening.draft);
  const [askAbout, setAskAbout] = useState<string | null>(opening.ask);
  const [attachments, setAttachments] = useState<File[]>([]);
  const [attachmentProblem, setAttachmentProblem] = useState<string | null>(null);
  // Each field's errors from the last Send, until that field is edited; and a failure tied to no field.
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const [notice, setNotice] = useState<Notice | null>(() =>
    opening.setAside
      ? {
          text: `Your earlier draft ${describeDraft(opening.setAside)} is set aside.`,
          restore: { draft: opening.setAside, attachments: [] },
          sticky: true,
        }
      : null,
  );
  const [announcement, setAnnouncement] = useState("");
  const submitting = useRef(false);
  const setAside = useRef<Snapshot | null>(opening.setAside ? { draft: opening.setAside, attachments: [] } : null);
  const suggestionSet = new Set(suggestions.map((suggestion) => suggestion.address));
  // Unsubscribe: this email's link box; who is known to have unsubscribed (the page's list, and the
  // server's word after a refused Send); whom the user chose to send to anyway.
  const [unsubscribeLink, setUnsubscribeLink] = useState(false);
  const [knownUnsubscribed, setKnownUnsubscribed] = useState(
    () => new Map(unsubscribed.map(({ email, at }) => [email, at])),
  );
  const [sendAnyway, setSendAnyway] = useState<string[]>([]);
  const warned = warnedRecipients(draft, knownUnsubscribed);

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
        const refusedFor = result.unsubscribed;
        if (refusedFor)
          setKnownUnsubscribed(
            (known) => new Map([...known, ...refusedFor.map(({ email, at }) => [email, at] as const)]),
          );
      }
      if (result.ok && result.queued) {
        const { queued } = result;
        clearDraft(userId);
        setSent({
          queued,
          undoUntil: Date.now() + queued.undoMs,
          snapshot: submission.snapshot,
          unsubscribeLink: submission.unsubscribeLink,
        });
        setUnsubscribeLink(false);
        setSendAnyway([]);
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

  const draftStatus = useDraftAutosave(userId, draft);
  useLeaveWarning(attachments.length > 0 && !sent);

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

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting.current || pending) return;
    const ready = withTypingCommitted(draft);
    const problems = {
      ...problemsOf(ready, limits, new Date()),
      ...unsubscribeProblems(ready, {
        unsubscribeLink,
        warned: warnedRecipients(ready, knownUnsubscribed).map(({ email }) => email),
        confirmed: sendAnyway,
      }),
    };
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
    if (unsubscribeLink) formData.append("unsubscribeLink", "1");
    if (ready.followUp) formData.append("followUpOf", ready.followUp.id);
    for (const email of sendAnyway) formData.append("sendToUnsubscribed", email);
    submitting.current = true;
    startTransition(() => dispatch({ formData, snapshot: { draft: ready, attachments }, unsubscribeLink }));
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
      setUnsubscribeLink(sent.unsubscribeLink);
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
    setUnsubscribeLink(false);
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

  const removeFile = (index: number) => {
    const removed = attachments[index];
    setAttachments(attachments.filter((_, n) => n !== index));
    setAttachmentProblem(null);
    if (removed) announce(`Removed ${removed.name}.`);
  };

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

      <NoticeBar notice={notice} onRestore={restore} />

      {askAbout && !sent ? (
        <UnsentDraftQuestion draft={draft} address={askAbout} onNewEmail={startNewTo} onAddToDraft={addToDraft} />
      ) : null}

      {templates && !sent ? (
        <TemplatePicker choices={templates} draft={draft} onEdit={edit} announce={announce} />
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
        <MessageForm
          draft={draft}
          errors={errors}
          failure={failure}
          limits={limits}
          suggestions={suggestionSet}
          attachments={attachments}
          attachmentProblem={attachmentProblem}
          pending={pending}
          draftStatus={draftStatus}
          announce={announce}
          onEdit={edit}
          onAddFiles={addFiles}
          onRemoveFile={removeFile}
          onSubmit={submit}
          onDiscard={discard}
          unsubscribe={{
            link: unsubscribeLink,
            onLink: (checked) => {
              setUnsubscribeLink(checked);
              if (errors.unsubscribeLink) setErrors(({ unsubscribeLink: _, ...rest }) => rest);
            },
            warned,
            confirmed: warned.length > 0 && warned.every(({ email }) => sendAnyway.includes(email)),
            onConfirm: (confirmed) => {
              setSendAnyway(confirmed ? warned.map(({ email }) => email) : []);
              if (errors.sendToUnsubscribed) setErrors(({ sendToUnsubscribed: _, ...rest }) => rest);
            },
          }}
        />
      )}
    </div>
  );
}
