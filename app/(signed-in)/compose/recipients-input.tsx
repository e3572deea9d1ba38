"use client";

import { useRef, type ClipboardEvent, type FormEvent, type KeyboardEvent } from "react";
import { flushSync } from "react-dom";
import { addAddresses, recipientProblem, splitAddresses } from "@/lib/mail/email-address";

export const SUGGESTIONS_ID = "recent-recipients";

type Props = {
  id: string;
  label: string;
  chips: string[];
  typing: string;
  onChange: (next: { chips: string[]; typing: string }) => void;
  /** Addresses offered as the user types (the shared datalist). */
  suggestions: ReadonlySet<string>;
  errors?: string[];
  announce: (text: string) => void;
};

/**
 * A recipient box: each recipient a chip, `address` or `Name <address>` as typed or pasted. Enter,
 * comma (outside a quoted name), semicolon, Tab or leaving the box makes a chip;
 * a pasted list becomes several. Left arrow from the start of the box walks the chips; Backspace or
 * Delete removes the focused one, and Backspace in an empty box removes the last.
 */
export function RecipientsInput({ id, label, chips, typing, onChange, suggestions, errors, announce }: Props) {
  const inputRef = useRef<HTMLInputElement>(null);
  const chipRefs = useRef<Array<HTMLButtonElement | null>>([]);
  const invalid = chips.filter((chip) => recipientProblem(label, chip) !== null);
  const hasError = (errors?.length ?? 0) > 0;

  const commit = (text: string, rest = "") => {
    const added = splitAddresses(text);
    onChange({ chips: addAddresses(chips, added), typing: rest });
  };

  // Removes one chip and moves focus where the keyboard user expects it, once the chip is gone.
  const remove = (index: number, focusAfter: "previous" | "next") => {
    const removed = chips[index];
    flushSync(() => onChange({ chips: chips.filter((_, n) => n !== index), typing }));
    announce(`Removed ${removed} from ${label}.`);
    const target = focusAfter === "previous" ? index - 1 : index;
    const chip = chipRefs.current[target];
    if (target >= 0 && target < chips.length - 1 && chip) chip.focus();
    else inputRef.current?.focus();
  };

  const focusChip = (index: number) => {
    if (index >= chips.length) inputRef.current?.focus();
    else chipRefs.current[Math.max(0, index)]?.focus();
  };

  const onInput = (event: FormEvent<HTMLInputElement>) => {
    const value = event.currentTarget.value;
    const native = event.nativeEvent as InputEvent;
    // A suggestion picked from the list replaces the text at once: it is a whole address.
    if (native.inputType === "insertReplacementText" && suggestions.has(value.trim().toLowerCase())) {
      commit(value);
      return;
    }
    const lastSeparator = lastSeparatorOutsideQuotes(value);
    if (lastSeparator >= 0) commit(value.slice(0, lastSeparator), value.slice(lastSeparator + 1).trimStart());
    else onChange({ chips, typing: value });
  };

  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const pasted = event.clipboardData.getData("text");
    if (!/[,;<\s]/.test(pasted.trim())) return;
    event.preventDefault();
    const input = event.currentTarget;
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const after = input.value.slice(input.selectionEnd ?? input.value.length);
    const added = splitAddresses(`${before}\n${pasted}\n${after}`);
    onChange({ chips: addAddresses(chips, added), typing: "" });
    announce(`Added ${added.length} ${added.length === 1 ? "recipient" : "recipients"} to ${label}.`);
  };

  const onInputKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    // Ctrl/Cmd+Enter belongs to the form (send); the typed text is included there.
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      if (typing.trim()) commit(typing);
    } else if (event.key === "Tab" && typing.trim()) {
      commit(typing);
    } else if (event.key === "Backspace" && typing === "" && chips.length > 0) {
      event.preventDefault();
      const last = chips.at(-1);
      onChange({ chips: chips.slice(0, -1), typing });
      announce(`Removed ${last} from ${label}.`);
    } else if (event.key === "ArrowLeft" && atStart && chips.length > 0) {
      event.preventDefault();
      focusChip(chips.length - 1);
    }
  };

  const onChipKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const moves: Record<string, () => void> = {
      ArrowLeft: () => focusChip(index - 1),
      ArrowRight: () => focusChip(index + 1),
      Home: () => focusChip(0),
      End: () => focusChip(chips.length),
      Escape: () => focusChip(chips.length),
      Backspace: () => remove(index, "previous"),
      Delete: () => remove(index, "next"),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    move();
  };

  const describedBy = [`${id}-hint`, hasError ? `${id}-error` : null, invalid.length > 0 ? `${id}-invalid` : null]
    .filter(Boolean)
    .join(" ");

  return (
    <div className="grid gap-x-3 gap-y-1 sm:grid-cols-[4rem_1fr] sm:items-start">
      <label htmlFor={id} className="pt-2 text-sm font-medium text-slate-700">
        {label}
      </label>
      <div>
        {/* A click on the box's empty space goes to the text box, as in any mail client. */}
        <div
          onClick={(event) => {
            if (event.target === event.currentTarget) inputRef.current?.focus();
          }}
          className={`flex min-h-10 flex-wrap items-center gap-1.5 rounded-md border bg-white px-2 py-1.5 focus-within:border-brand-600 focus-within:ring-1 focus-within:ring-brand-600 ${hasError ? "border-red-500" : "border-slate-300"}`}
        >
          {chips.length > 0 ? (
            <ul aria-label={`${label} recipients`} className="contents">
              {chips.map((chip, index) => {
                const problem = recipientProblem(label, chip);
                const valid = problem === null;
                return (
                  <li
                    key={chip}
                    title={problem ?? chip}
                    className={`inline-flex max-w-full items-center gap-1 rounded-full py-0.5 pr-1 pl-2.5 text-sm focus-within:ring-2 focus-within:ring-brand-600 ${valid ? "bg-slate-100 text-slate-800" : "bg-red-50 text-red-800 ring-1 ring-red-400"}`}
                  >
                    {valid ? null : (
                      <span aria-hidden className="font-bold">
                        !
                      </span>
                    )}
                    <span className="truncate">{chip}</span>
                    {valid ? null : <span className="sr-only">(not a valid recipient)</span>}
                    <button
                      type="button"
                      tabIndex={-1}
                      ref={(element) => {
                        chipRefs.current[index] = element;
                      }}
                      aria-label={`Remove ${chip}`}
                      onClick={() => remove(index, "next")}
                      onKeyDown={(event) => onChipKeyDown(event, index)}
                      className="inline-flex size-5 shrink-0 items-center justify-center rounded-full text-slate-500 hover:bg-slate-300 hover:text-slate-900 focus:outline-none"
                    >
                      <span aria-hidden>×</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          ) : null}
          <input
            ref={inputRef}
            id={id}
            type="text"
            inputMode="email"
            autoComplete="off"
            spellCheck={false}
            list={SUGGESTIONS_ID}
            value={typing}
            onChange={onInput}
            onPaste={onPaste}
            onKeyDown={onInputKeyDown}
            onBlur={() => {
              if (typing.trim()) commit(typing);
            }}
            aria-invalid={hasError || invalid.length > 0 || undefined}
            aria-describedby={describedBy}
            className="min-w-48 flex-1 border-0 bg-transparent p-1 text-sm outline-none focus:ring-0"
          />
        </div>
        <p id={`${id}-hint`} className="sr-only">
          Press Enter or comma after each address. Left arrow moves to the recipients already added; Backspace removes
          one.
        </p>
        {invalid.length > 0 && !hasError ? (
          <p id={`${id}-invalid`} className="mt-1 text-sm text-red-700">
            {invalid.length === 1 ? "This is not a valid recipient:" : "These are not valid recipients:"}{" "}
            {invalid.join(", ")}. Fix or remove {invalid.length === 1 ? "it" : "them"} before sending.
          </p>
        ) : null}
        <div id={`${id}-error`} aria-live="polite" className="text-sm text-red-700">
          {errors?.map((error) => (
            <p key={error} className="mt-1">
              {error}
            </p>
          ))}
        </div>
      </div>
    </div>
  );
}

// Where typing a comma or semicolon ends a recipient: not inside "Last, First", a quoted name.
function lastSeparatorOutsideQuotes(value: string): number {
  let quoted = false;
  let last = -1;
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index];
    if (char === "\\" && quoted) index += 1;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "," || char === ";")) last = index;
  }
  return last;
}
