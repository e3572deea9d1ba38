"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE } from "@/lib/platform/action-state";
import { CONTACT_FORM_FIELD_LABELS, type ContactFormField } from "@/lib/crm/contact-fields";
import type { ImportItem } from "@/lib/crm/import";
import type { CsvEncoding } from "@/lib/crm/csv";
import type { ImportPreview, ImportState } from "./actions";

type Action = (previous: ImportState, formData: FormData) => Promise<ImportState>;

const FIELD_LABELS: Record<ContactFormField | "row", string> = { ...CONTACT_FORM_FIELD_LABELS, row: "Whole row" };

const plural = (count: number, one: string, many: string) =>
  `${count.toLocaleString("en")} ${count === 1 ? one : many}`;

function resultOf(item: ImportItem): string {
  if (item.action === "create") return "New contact";
  if (item.action === "unchanged") return "No change";
  return `Updates ${item.changed.map((field) => FIELD_LABELS[field].toLowerCase()).join(", ")}`;
}

function summaryOf({ counts }: ImportPreview): string {
  const parts = [
    plural(counts.create, "new contact", "new contacts"),
    plural(counts.update, "update", "updates"),
    plural(counts.unchanged, "unchanged", "unchanged"),
  ];
  const skipped =
    counts.skippedRows > 0
      ? ` ${plural(counts.skippedRows, "row has a problem and will be skipped", "rows have problems and will be skipped")}.`
      : "";
  return `${parts.join(", ")}.${skipped}`;
}

/** How the preview names the file's encoding, and what to do when a conversion reads it wrong. */
function encodingNote(encoding: CsvEncoding): string {
  if (encoding === "UTF-8") return "Encoding: UTF-8.";
  const name = encoding === "Windows-1252" ? "Windows-1252 (Excel's plain “CSV”)" : "UTF-16 (Excel's “Unicode Text”)";
  return `Encoding: ${name}, converted to UTF-8. If accents or symbols look wrong below, save the file as “CSV UTF-8” and choose it again.`;
}

/** Paste or choose a CSV → preview what would change, row problems included → confirm. */
export function ImportFlow({
  previewAction,
  importAction,
  mergeRule,
  limits,
}: {
  previewAction: Action;
  importAction: Action;
  mergeRule: string;
  limits: { rows: number; megabytes: number };
}) {
  const [state, formAction] = useActionState<ImportState, FormData>(
    (previous, formData) =>
      formData.get("step") === "import" ? importAction(previous, formData) : previewAction(previous, formData),
    IDLE,
  );
  // "Start over" hides this answer without a round trip; the next submission replaces it.
  const [dismissed, setDismissed] = useState<ImportState | null>(null);
  const shown: ImportState = state === dismissed ? IDLE : state;
  const csvErrors = shown.fieldErrors?.csv ?? [];
  const startOver = () => setDismissed(state);

  if (shown.result) {
    return (
      <div role="status" className="space-y-3 rounded-lg border border-emerald-200 bg-emerald-50 px-6 py-5 text-sm">
        <p className="font-medium text-emerald-900">{shown.message}</p>
        <div className="flex flex-wrap gap-4">
          <Link href="/contacts" className="font-medium text-brand-800 underline">
            See your contacts
          </Link>
          <button type="button" onClick={startOver} className="font-medium text-slate-700 underline">
            Import another file
          </button>
        </div>
      </div>
    );
  }

  if (shown.preview && shown.csv !== undefined) {
    const preview = shown.preview;
    const toImport = preview.counts.create + preview.counts.update;
    const showTags = preview.items.some((item) => item.values.tags.length > 0);
    return (
      <section aria-labelledby="preview-heading" className="space-y-5">
        <div className="space-y-2">
          <h2 id="preview-heading" className="text-lg font-semibold">
            Preview: nothing is saved yet
          </h2>
          {shown.message ? (
            <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950">
              {shown.message}
            </p>
          ) : null}
          <p role="status" className="text-sm font-medium text-slate-800">
            {summaryOf(preview)}
          </p>
          {shown.encoding ? <p className="text-sm text-slate-600">{encodingNote(shown.encoding)}</p> : null}
          <p className="text-sm text-slate-600">{mergeRule}</p>
          {preview.ignoredColumns.length > 0 ? (
            <p className="text-sm text-slate-600">
              Columns not imported: {preview.ignoredColumns.map((name) => `“${name}”`).join(", ")}.
            </p>
          ) : null}
        </div>

        {preview.errors.length > 0 ? (
          <div className="relative overflow-x-auto rounded-lg border border-red-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm">
              <caption className="px-4 pt-3 text-left font-semibold text-red-900">
                Rows that will be skipped: fix them in the file and import it again
              </caption>
              <thead className="border-b border-slate-200 text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Row
                  </th>
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Column
                  </th>
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Problem and fix
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {preview.errors.map((error, index) => (
                  <tr key={`${error.row}-${error.field}-${index}`}>
                    <th scope="row" className="px-4 py-2 font-medium">
                      {error.row}
                    </th>
                    <td className="px-4 py-2">{FIELD_LABELS[error.field]}</td>
                    <td className="px-4 py-2 break-words text-red-800">{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {preview.moreErrors > 0 ? (
              <p className="px-4 py-2 text-xs text-slate-500">
                And {plural(preview.moreErrors, "more problem", "more problems")}.
              </p>
            ) : null}
          </div>
        ) : null}

        {preview.items.length > 0 ? (
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm">
              <caption className="px-4 pt-3 text-left font-semibold">What will be imported</caption>
              <thead className="border-b border-slate-200 text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Email
                  </th>
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Company
                  </th>
                  {showTags ? (
                    <th scope="col" className="px-4 py-2 font-semibold">
                      Tags
                    </th>
                  ) : null}
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Rows
                  </th>
                  <th scope="col" className="px-4 py-2 font-semibold">
                    Result
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {preview.items.map((item) => (
                  <tr key={item.email}>
                    <th scope="row" className="px-4 py-2 font-medium break-all">
                      {item.email}
                    </th>
                    <td className="px-4 py-2 break-words">{item.values.name}</td>
                    <td className="px-4 py-2 break-words">{item.values.company}</td>
                    {showTags ? (
                      <td className="px-4 py-2 break-words">{item.values.tags.map(({ label }) => label).join(", ")}</td>
                    ) : null}
                    <td className="px-4 py-2">
                      {item.rows.join(", ")}
                      {item.rows.length > 1 ? " (merged)" : ""}
                    </td>
                    <td className="px-4 py-2">{resultOf(item)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {preview.moreItems > 0 ? (
              <p className="px-4 py-2 text-xs text-slate-500">
                And {plural(preview.moreItems, "more contact", "more contacts")}.
              </p>
            ) : null}
          </div>
        ) : null}

        <div className="flex flex-wrap items-center gap-4">
          {toImport > 0 ? (
            <form action={formAction}>
              <input type="hidden" name="step" value="import" />
              <input type="hidden" name="digest" value={preview.digest} />
              {shown.encoding ? <input type="hidden" name="encoding" value={shown.encoding} /> : null}
              <textarea hidden readOnly name="csv" value={shown.csv} />
              <SubmitButton pendingLabel="Importing…">
                {`Import ${plural(toImport, "contact", "contacts")}`}
              </SubmitButton>
            </form>
          ) : (
            <p className="text-sm font-medium text-slate-800">Nothing to import from this file.</p>
          )}
          <button type="button" onClick={startOver} className="text-sm font-medium text-slate-700 underline">
            Start over
          </button>
        </div>
      </section>
    );
  }

  return (
    <form
      action={formAction}
      aria-label="Import contacts"
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
    >
      <input type="hidden" name="step" value="preview" />
      <fieldset className="space-y-4" aria-describedby="import-csv-help import-csv-error">
        <legend className="text-sm font-medium text-slate-700">Your CSV</legend>
        <p id="import-csv-help" className="text-sm text-slate-600">
          The first row names the columns: <strong>email</strong> (required), and any of name, first name, company,
          title, phone, notes, time zone (a name like Europe/Paris) and tags (several in one cell, separated by commas
          or semicolons), in any order and case. Other columns are left out. Up to {limits.rows.toLocaleString("en")}{" "}
          rows and {limits.megabytes} MB at a time. Cells are saved as plain text: formulas are never run.
        </p>
        <div>
          <label htmlFor="import-file" className="text-sm font-medium text-slate-700">
            CSV file
          </label>
          <input
            id="import-file"
            name="file"
            type="file"
            accept=".csv,text/csv,text/plain"
            aria-invalid={csvErrors.length > 0 ? true : undefined}
            className="mt-1 block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium"
          />
        </div>
        <div>
          <label htmlFor="import-csv" className="text-sm font-medium text-slate-700">
            Or paste the CSV text
          </label>
          <textarea
            id="import-csv"
            name="csv"
            rows={10}
            spellCheck={false}
            defaultValue={shown.values?.csv ?? ""}
            placeholder={"name,email,company\nAda Lovelace,ada@example.com,Analytical Engines"}
            aria-invalid={csvErrors.length > 0 ? true : undefined}
            aria-describedby="import-csv-error"
            className={`mt-1 w-full rounded-md border bg-white px-3 py-2 font-mono text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none ${csvErrors.length > 0 ? "border-red-500" : "border-slate-300"}`}
          />
          <p className="mt-1 text-xs text-slate-500">A chosen file is used instead of pasted text.</p>
        </div>
        <div id="import-csv-error" aria-live="polite" className="text-sm text-red-700">
          {csvErrors.map((error) => (
            <p key={error}>{error}</p>
          ))}
        </div>
      </fieldset>
      <p className="text-sm text-slate-600">{mergeRule}</p>
      <SubmitButton pendingLabel="Reading…">Preview import</SubmitButton>
    </form>
  );
}
