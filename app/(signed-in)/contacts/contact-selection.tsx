"use client";

import Link from "next/link";
import { useActionState, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { LocalTime } from "@/components/local-time";
import { SubmitButton } from "@/components/submit-button";
import { IDLE, type ActionState } from "@/lib/platform/action-state";
import { TAG_LIMITS, type TagLabel } from "@/lib/crm/contact-fields";
import { EnrolForm } from "./enrol-form";

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>;

export type ContactRow = {
  id: string;
  name: string;
  email: string;
  company: string;
  title: string;
  lastContactedAt: string | null;
  tags: TagLabel[];
};

type Filter = { query: string; tag: string };

const fieldClass =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none";
const linkButton = "text-sm font-medium text-brand-800 underline";

/** Which contacts a bulk form is for, in the fields "Email selected" and the tag actions read. */
function TargetFields({ matching, ids, filter }: { matching: boolean; ids: string[]; filter: Filter }) {
  if (matching)
    return (
      <>
        <input type="hidden" name="scope" value="matching" />
        <input type="hidden" name="tag" value={filter.tag} />
        <input type="hidden" name="q" value={filter.query} />
      </>
    );
  return (
    <>
      <input type="hidden" name="scope" value="selected" />
      {ids.map((id) => (
        <input key={id} type="hidden" name="contactId" value={id} />
      ))}
    </>
  );
}

/** An action's answer: a success politely, a refusal as an alert. */
function Outcome({ state, id }: { state: ActionState; id: string }) {
  const problems = [...(state.fieldErrors?.label ?? []), ...(state.fieldErrors?.key ?? [])];
  return (
    <div id={id} className="text-sm">
      <p aria-live="polite" className="font-medium text-emerald-800">
        {state.ok && state.message ? state.message : ""}
      </p>
      {!state.ok && state.message ? (
        <div role="alert" className="font-medium text-red-700">
          {problems.length > 0 ? problems.map((problem) => <p key={problem}>{problem}</p>) : <p>{state.message}</p>}
        </div>
      ) : null}
    </div>
  );
}

/**
 * The contacts list with its selection: a checkbox a row, all on the page, or every contact matching
 * the list's search and tag; then email them or add or remove a tag, all at once.
 */
export function ContactSelection({
  contacts,
  total,
  caption,
  filter,
  offerMatching,
  tags,
  sequences,
  emailAction,
  addTagAction,
  removeTagAction,
  enrolAction,
}: {
  contacts: ContactRow[];
  /** Contacts matching the list's filter, on every page. */
  total: number;
  caption: string;
  filter: Filter;
  /** Whether "Select all N matching" means more than this page (a filter, or more pages). */
  offerMatching: boolean;
  tags: TagLabel[];
  sequences: Array<{ id: string; name: string }>;
  emailAction: Action;
  addTagAction: Action;
  removeTagAction: Action;
  enrolAction: Action;
}) {
  const [picked, setPicked] = useState<string[]>([]);
  const [matching, setMatching] = useState(false);
  const [emailState, emailFormAction] = useActionState(emailAction, IDLE);
  const [addState, addFormAction] = useActionState(addTagAction, IDLE);
  const [removeState, removeFormAction] = useActionState(removeTagAction, IDLE);
  const pageBox = useRef<HTMLInputElement>(null);
  const clearButton = useRef<HTMLButtonElement>(null);

  // A contact that left the page (its tag removed under a tag filter) leaves the selection too.
  const onPage = new Set(contacts.map((contact) => contact.id));
  const selected = matching ? contacts.map((contact) => contact.id) : picked.filter((id) => onPage.has(id));
  const count = matching ? total : selected.length;
  const allOnPage = contacts.length > 0 && selected.length === contacts.length;

  useEffect(() => {
    if (pageBox.current) pageBox.current.indeterminate = selected.length > 0 && !allOnPage;
  }, [selected.length, allOnPage]);

  const toggle = (id: string, on: boolean) => {
    setMatching(false);
    setPicked(on ? [...selected, id] : selected.filter((other) => other !== id));
  };
  const togglePage = (on: boolean) => {
    setMatching(false);
    setPicked(on ? contacts.map((contact) => contact.id) : []);
  };
  const selectMatching = () => {
    flushSync(() => setMatching(true));
    clearButton.current?.focus();
  };
  const clear = () => {
    flushSync(() => {
      setMatching(false);
      setPicked([]);
    });
    pageBox.current?.focus();
  };

  const countText =
    count === 0
      ? "No contacts selected."
      : matching
        ? `${count.toLocaleString("en")} selected: every contact in this list, on every page.`
        : `${count.toLocaleString("en")} selected.`;
  const target = <TargetFields matching={matching} ids={selected} filter={filter} />;

  return (
    <div className="space-y-3">
      <div role="region" aria-label="Selection" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <p aria-live="polite" className="text-sm font-medium text-slate-800">
            {countText}
          </p>
          {offerMatching && !matching ? (
            <button type="button" onClick={selectMatching} className={linkButton}>
              Select all {total.toLocaleString("en")} matching
            </button>
          ) : null}
          {count > 0 ? (
            <button ref={clearButton} type="button" onClick={clear} className={linkButton}>
              Clear selection
            </button>
          ) : null}
        </div>
        {count > 0 ? (
          <div className="flex flex-wrap items-start gap-x-6 gap-y-4">
            <form action={emailFormAction} aria-label="Email selected" className="space-y-1 pt-6">
              {target}
              <SubmitButton pendingLabel="Preparing…">Email selected</SubmitButton>
              {!emailState.ok && emailState.message ? (
                <p role="alert" className="max-w-64 text-sm font-medium text-red-700">
                  {emailState.message}
                </p>
              ) : null}
            </form>
            <form action={addFormAction} aria-label="Add a tag" className="space-y-1">
              {target}
              <div className="flex flex-wrap items-end gap-2">
                <div>
                  <label htmlFor="bulk-add-tag" className="text-sm font-medium text-slate-700">
                    Tag to add
                  </label>
                  <input
                    id="bulk-add-tag"
                    name="label"
                    type="text"
                    list="bulk-tag-suggestions"
                    autoComplete="off"
                    maxLength={TAG_LIMITS.length}
                    defaultValue={addState.values?.label ?? ""}
                    aria-invalid={addState.fieldErrors?.label?.length ? true : undefined}
                    aria-describedby="bulk-add-tag-outcome"
                    className={fieldClass}
                  />
                  <datalist id="bulk-tag-suggestions">
                    {tags.map((tag) => (
                      <option key={tag.key} value={tag.label} />
                    ))}
                  </datalist>
                </div>
                <SubmitButton variant="secondary" pendingLabel="Adding…">
                  Add tag
                </SubmitButton>
              </div>
              <Outcome state={addState} id="bulk-add-tag-outcome" />
            </form>
            {tags.length > 0 ? (
              <form action={removeFormAction} aria-label="Remove a tag" className="space-y-1">
                {target}
                <div className="flex flex-wrap items-end gap-2">
                  <div>
                    <label htmlFor="bulk-remove-tag" className="text-sm font-medium text-slate-700">
                      Tag to remove
                    </label>
                    <select
                      id="bulk-remove-tag"
                      name="key"
                      defaultValue={removeState.values?.key ?? filter.tag}
                      aria-describedby="bulk-remove-tag-outcome"
                      className={fieldClass}
                    >
                      {tags.map((tag) => (
                        <option key={tag.key} value={tag.key}>
                          {tag.label}
                        </option>
                      ))}
                    </select>
                  </div>
                  <SubmitButton variant="secondary" pendingLabel="Removing…">
                    Remove tag
                  </SubmitButton>
                </div>
                <Outcome state={removeState} id="bulk-remove-tag-outcome" />
              </form>
            ) : null}
            <EnrolForm id="bulk-enrol" action={enrolAction} sequences={sequences} target={target} />
          </div>
        ) : (
          <p className="text-sm text-slate-600">
            Select contacts to email them, enrol them in a sequence, or add or remove a tag on all of them.
          </p>
        )}
      </div>

      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
            <tr>
              <th scope="col" className="w-10 px-4 py-3">
                <input
                  ref={pageBox}
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allOnPage}
                  onChange={(event) => togglePage(event.target.checked)}
                  className="size-4 accent-brand-700"
                />
              </th>
              <th scope="col" className="px-4 py-3 font-semibold">
                Name
              </th>
              <th scope="col" className="px-4 py-3 font-semibold">
                Email
              </th>
              <th scope="col" className="px-4 py-3 font-semibold">
                Company
              </th>
              <th scope="col" className="px-4 py-3 font-semibold">
                Last contacted
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {contacts.map((contact) => {
              const name = contact.name || contact.email;
              const checked = matching || selected.includes(contact.id);
              return (
                <tr key={contact.id} className={checked ? "bg-brand-50/60" : undefined}>
                  <td className="px-4 py-3 align-top">
                    <input
                      type="checkbox"
                      aria-label={`Select ${name}`}
                      checked={checked}
                      onChange={(event) => toggle(contact.id, event.target.checked)}
                      className="size-4 accent-brand-700"
                    />
                  </td>
                  <th scope="row" className="px-4 py-3 font-medium">
                    <Link href={`/contacts/${contact.id}`} className="break-words text-brand-800 underline">
                      {name}
                    </Link>
                    {contact.title ? (
                      <span className="block text-xs font-normal text-slate-500">{contact.title}</span>
                    ) : null}
                    {contact.tags.length > 0 ? (
                      <ul aria-label="Tags" className="mt-1 flex flex-wrap gap-1">
                        {contact.tags.map((tag) => (
                          <li
                            key={tag.key}
                            className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-normal break-all text-slate-700"
                          >
                            {tag.label}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </th>
                  <td className="px-4 py-3 break-all text-slate-700">{contact.email}</td>
                  <td className="px-4 py-3 break-words text-slate-700">{contact.company}</td>
                  <td className="px-4 py-3 text-slate-700">
                    {contact.lastContactedAt ? <LocalTime iso={contact.lastContactedAt} /> : "Never"}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
