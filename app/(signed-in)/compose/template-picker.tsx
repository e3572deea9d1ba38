"use client";

import Link from "next/link";
import { useId, useState } from "react";
import { flushSync } from "react-dom";
import { recipientAddress } from "@/lib/mail/email-address";
import type { MergeContact, TemplateText } from "@/lib/outreach/template-store";
import { checkTemplateText, renderTemplate, type MergeField, type MergeValues } from "@/lib/outreach/templates";
import type { Draft } from "./draft";

/** What the page loads for "Insert template": the user's templates and whose values fill their fields. */
export type TemplateChoices = { templates: TemplateText[]; contact: MergeContact | null; sender: MergeValues };

type Props = {
  choices: TemplateChoices;
  draft: Draft;
  onEdit: (change: (draft: Draft) => Draft, field?: string) => void;
  announce: (text: string) => void;
};

type Texts = Pick<Draft, "subject" | "body">;
type Inserted = { name: string; filledFor: string | null; missing: MergeField[]; before: Texts; after: Texts };

/**
 * Puts one of the user's templates into the message: its subject (replacing the one typed, with Undo)
 * and its body at the cursor. Merge fields take the values of the contact the page was opened for
 * while that contact is the only recipient; otherwise their fallbacks, and what stays empty is named.
 */
export function TemplatePicker({ choices, draft, onEdit, announce }: Props) {
  const [chosen, setChosen] = useState("");
  const [inserted, setInserted] = useState<Inserted | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const selectId = useId();

  if (choices.templates.length === 0)
    return (
      <p className="text-sm text-slate-600">
        No templates yet.{" "}
        <Link href="/templates/new" className="font-medium text-brand-700 underline">
          Write one
        </Link>{" "}
        to start emails you send often from it.
      </p>
    );

  // The page's contact fills the fields only while the message is to that person alone.
  const recipients = [...draft.to, ...(draft.typing.to.trim() ? [draft.typing.to] : [])];
  const forContact =
    choices.contact && recipients.length === 1 && recipientAddress(recipients[0]!) === choices.contact.address
      ? choices.contact
      : null;

  const insert = () => {
    const template = choices.templates.find((candidate) => candidate.id === chosen);
    if (!template) {
      setProblem("Choose a template first.");
      return;
    }
    const broken = [checkTemplateText(template.subject), checkTemplateText(template.body)].find((check) => !check.ok);
    if (broken && !broken.ok) {
      setProblem(`“${template.name}” cannot be inserted until its merge fields are fixed. ${broken.error}`);
      return;
    }
    const values = { ...choices.sender, ...forContact?.values };
    const subject = renderTemplate(template.subject, values);
    const body = renderTemplate(template.body, values);
    const missing = [...new Set([...subject.missing, ...body.missing])];
    const textarea = document.getElementById("compose-body") as HTMLTextAreaElement | null;
    const blank = draft.body.trim() === "";
    const start = blank ? 0 : (textarea?.selectionStart ?? draft.body.length);
    const end = blank ? draft.body.length : (textarea?.selectionEnd ?? start);
    const before = { subject: draft.subject, body: draft.body };
    const after = {
      subject: subject.text.trim() ? subject.text : draft.subject,
      body: draft.body.slice(0, start) + body.text + draft.body.slice(end),
    };
    flushSync(() => {
      onEdit((d) => ({ ...d, ...after }), "subject");
      onEdit((d) => d, "body");
      setInserted({ name: template.name, filledFor: forContact?.label ?? null, missing, before, after });
      setProblem(null);
    });
    textarea?.focus();
    textarea?.setSelectionRange(start + body.text.length, start + body.text.length);
    announce(`Inserted the template ${template.name}.`);
  };

  const undo = () => {
    if (!inserted) return;
    const { before } = inserted;
    flushSync(() => {
      onEdit((d) => ({ ...d, ...before }), "subject");
      setInserted(null);
    });
    announce("Template removed: the subject and body are as they were.");
    document.getElementById(selectId)?.focus();
  };

  return (
    <div className="space-y-2 rounded-md border border-slate-200 bg-slate-50 px-4 py-3 text-sm">
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor={selectId} className="block font-medium text-slate-700">
            Insert template
          </label>
          <select
            id={selectId}
            value={chosen}
            onChange={(event) => {
              setChosen(event.currentTarget.value);
              setProblem(null);
            }}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${selectId}-hint${problem ? ` ${selectId}-problem` : ""}`}
            className="mt-1 max-w-xs rounded-md border border-slate-300 bg-white px-3 py-2 focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none"
          >
            <option value="">Choose a template…</option>
            {choices.templates.map((template) => (
              <option key={template.id} value={template.id}>
                {template.name}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          onClick={insert}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium text-slate-800 hover:bg-slate-50"
        >
          Insert
        </button>
      </div>
      <p id={`${selectId}-hint`} className="text-xs text-slate-500">
        {forContact
          ? `Merge fields are filled in for ${forContact.label}.`
          : "Merge fields take their fallbacks: a template fills in a contact's details when you open Compose from that contact's Email button."}{" "}
        The subject is replaced and the body goes in at the cursor.
      </p>
      {problem ? (
        <p id={`${selectId}-problem`} role="alert" className="text-red-700">
          {problem}
        </p>
      ) : null}
      {inserted ? (
        <div role="status" className="flex flex-wrap items-center gap-x-3 gap-y-1 text-slate-800">
          <span>
            Inserted “{inserted.name}”{inserted.filledFor ? ` for ${inserted.filledFor}` : ""}.
            {inserted.missing.length > 0
              ? ` Left empty, with no value or fallback: ${inserted.missing.map((field) => `{{${field}}}`).join(", ")}. Read the message through before you send.`
              : ""}
          </span>
          {/* Undo puts back the subject and body as they were: only while nothing was typed since. */}
          {draft.subject === inserted.after.subject && draft.body === inserted.after.body ? (
            <button type="button" onClick={undo} className="font-medium text-brand-700 underline">
              Undo insert
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
