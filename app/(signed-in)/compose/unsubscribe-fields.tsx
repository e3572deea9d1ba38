"use client";

import { LocalTime } from "@/components/local-time";
import { recipientAddress } from "@/lib/mail/email-address";
import { SEND_ANYWAY_REQUIRED, UNSUBSCRIBE_LINK_ONE_RECIPIENT } from "@/lib/outreach/unsubscribe-copy";
import type { FieldErrors } from "./compose-rules";
import type { Draft } from "./draft";

/** An address that unsubscribed from the user's emails, and when (ISO): the page's list, and the server's word. */
export type UnsubscribedRecipient = { email: string; at: string };

/** What the form needs of unsubscribe: the link box, and the recipients who unsubscribed with "Send anyway". */
export type UnsubscribeControls = {
  link: boolean;
  onLink: (checked: boolean) => void;
  warned: UnsubscribedRecipient[];
  confirmed: boolean;
  onConfirm: (confirmed: boolean) => void;
};

/** The draft's recipients (To, Cc, Bcc) that unsubscribed, each once, in the form's order. */
export function warnedRecipients(draft: Draft, known: ReadonlyMap<string, string>): UnsubscribedRecipient[] {
  const emails = new Set([...draft.to, ...draft.cc, ...draft.bcc].map(recipientAddress));
  return [...emails].flatMap((email) => {
    const at = known.get(email);
    return at ? [{ email, at }] : [];
  });
}

/** Whether an unsubscribe link may be added: one person in To, nobody in Cc or Bcc to see their link. */
export function canAddUnsubscribeLink(draft: Draft): boolean {
  return draft.to.length === 1 && draft.cc.length + draft.bcc.length === 0;
}

// The checks made before sending; the server makes them again (lib/mail/compose.ts, lib/mail/messages.ts).
export function unsubscribeProblems(
  draft: Draft,
  { unsubscribeLink, warned, confirmed }: { unsubscribeLink: boolean; warned: string[]; confirmed: string[] },
): FieldErrors {
  const errors: FieldErrors = {};
  if (warned.some((email) => !confirmed.includes(email))) errors.sendToUnsubscribed = [SEND_ANYWAY_REQUIRED];
  if (unsubscribeLink && !canAddUnsubscribeLink(draft)) errors.unsubscribeLink = [UNSUBSCRIBE_LINK_ONE_RECIPIENT];
  return errors;
}

const errorList = (id: string, errors: string[] | undefined) => (
  <div id={id} aria-live="polite" className="text-sm text-red-700">
    {errors?.map((error) => (
      <p key={error} className="mt-1">
        {error}
      </p>
    ))}
  </div>
);

/** Said beside the recipients for each one who unsubscribed; Send waits for "Send anyway". */
export function UnsubscribedWarning({
  warned,
  confirmed,
  onConfirm,
  errors,
}: {
  warned: UnsubscribedRecipient[];
  confirmed: boolean;
  onConfirm: (confirmed: boolean) => void;
  errors?: string[];
}) {
  if (warned.length === 0) return null;
  return (
    <div
      role="group"
      aria-labelledby="unsubscribed-warning"
      className="space-y-2 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950"
    >
      <ul id="unsubscribed-warning" className="space-y-1">
        {warned.map(({ email, at }) => (
          <li key={email}>
            <strong className="font-semibold break-all">{email}</strong> unsubscribed from your emails on{" "}
            <LocalTime iso={at} />. Send anyway?
          </li>
        ))}
      </ul>
      <label className="flex items-center gap-2 font-medium">
        <input
          id="compose-send-anyway"
          type="checkbox"
          checked={confirmed}
          onChange={(event) => onConfirm(event.currentTarget.checked)}
          aria-invalid={errors?.length ? true : undefined}
          aria-describedby={errors?.length ? "compose-send-anyway-error" : undefined}
          className="size-4 rounded border-slate-400"
        />
        Send anyway
      </label>
      {errorList("compose-send-anyway-error", errors)}
    </div>
  );
}

/** "Add an unsubscribe link": a one-click link for the one recipient, at the end of the body and in the headers. */
export function UnsubscribeLinkField({
  checked,
  draft,
  onChange,
  errors,
}: {
  checked: boolean;
  draft: Draft;
  onChange: (checked: boolean) => void;
  errors?: string[];
}) {
  // Said as soon as it does not hold, not only after Send.
  const shown = errors?.length
    ? errors
    : checked && !canAddUnsubscribeLink(draft)
      ? [UNSUBSCRIBE_LINK_ONE_RECIPIENT]
      : [];
  return (
    <div className="space-y-1">
      <label className="flex items-center gap-2 text-sm font-medium text-slate-700">
        <input
          id="compose-unsubscribe-link"
          type="checkbox"
          checked={checked}
          onChange={(event) => onChange(event.currentTarget.checked)}
          aria-invalid={shown.length ? true : undefined}
          aria-describedby={`compose-unsubscribe-link-hint${shown.length ? " compose-unsubscribe-link-error" : ""}`}
          className="size-4 rounded border-slate-400"
        />
        Add an unsubscribe link
      </label>
      <p id="compose-unsubscribe-link-hint" className="text-xs text-slate-500">
        For an email to one person: a link at the end, and the one-click unsubscribe mail apps show.
      </p>
      {errorList("compose-unsubscribe-link-error", shown)}
    </div>
  );
}
