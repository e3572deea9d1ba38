"use server";

import { revalidatePath } from "next/cache";
import { formText, type ActionState } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { MAX_IMPORT_BYTES } from "@/lib/crm/contact-fields";
import { importContacts, planContactImport, type ImportPlan, type ImportResult } from "@/lib/crm/import";
import { CSV_ENCODINGS, decodeCsv, type CsvEncoding } from "@/lib/crm/csv";
import { UserError } from "@/lib/platform/errors";

/** A preview as the page shows it: every count, the first rows of each list. */
export type ImportPreview = ImportPlan & { moreItems: number; moreErrors: number };

export type ImportState = ActionState & {
  preview?: ImportPreview;
  /** The exact text previewed, sent back with the confirmation. */
  csv?: string;
  /** How a chosen file's bytes were read (pasted text has none). */
  encoding?: CsvEncoding;
  result?: ImportResult;
};

const SHOWN_ITEMS = 100;
// `formData` is typed unknown below because these are public endpoints: a hand-made request can pass anything.
// Who is asking comes first: nothing is read or checked for someone signed out.
const NOT_UNDERSTOOD: ImportState = { ok: false, message: "That request was not understood; reload the page." };
const SHOWN_ERRORS = 200;

function previewOf(plan: ImportPlan): ImportPreview {
  // Updates first: they change what the user already has.
  const items = [...plan.items].sort((a, b) => Number(b.action === "update") - Number(a.action === "update"));
  return {
    ...plan,
    items: items.slice(0, SHOWN_ITEMS),
    errors: plan.errors.slice(0, SHOWN_ERRORS),
    moreItems: Math.max(0, items.length - SHOWN_ITEMS),
    moreErrors: Math.max(0, plan.errors.length - SHOWN_ERRORS),
  };
}

/**
 * The CSV from the chosen file (which wins unless empty), with how its bytes were read, or the pasted
 * text; or why it cannot be read.
 */
async function csvFrom(form: FormData): Promise<{ csv: string; encoding?: CsvEncoding }> {
  const file = form.get("file");
  const pasted = formText(form, "csv");
  // A file input left empty still submits an empty file.
  if (typeof file === "string" || file === null || (file.size === 0 && (file.name === "" || pasted.trim() !== "")))
    return { csv: pasted };
  if (file.size > MAX_IMPORT_BYTES)
    throw new UserError(
      `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; import at most 2 MB at a time (split the file).`,
      "csv",
    );
  const decoded = decodeCsv(new Uint8Array(await file.arrayBuffer()));
  if (!decoded)
    throw new UserError(
      `${file.name} is not a CSV text file (a workbook or another binary file?). In your spreadsheet, save it as "CSV UTF-8", then choose it again.`,
      "csv",
    );
  return { csv: decoded.text, encoding: decoded.encoding };
}

function refused(error: unknown, pasted: string): ImportState {
  if (!(error instanceof UserError)) throw error;
  return {
    ok: false,
    message: "Nothing imported yet.",
    fieldErrors: { csv: [error.message] },
    values: { csv: pasted },
  };
}

/** Reads the CSV and shows what importing it would do; nothing is saved. */
export async function previewImportAction(_previous: ImportState, formData: unknown): Promise<ImportState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const pasted = formText(formData, "csv");
  try {
    const { csv, encoding } = await csvFrom(formData);
    const plan = await planContactImport(user.id, csv);
    return { ok: true, preview: previewOf(plan), csv, encoding, values: { csv: pasted } };
  } catch (error) {
    return refused(error, pasted);
  }
}

/** Imports exactly what was previewed, or nothing (then shows the new preview). */
export async function importContactsAction(_previous: ImportState, formData: unknown): Promise<ImportState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const csv = formText(formData, "csv");
  const digest = formText(formData, "digest");
  const named = formText(formData, "encoding");
  const encoding = CSV_ENCODINGS.find((known) => known === named);
  try {
    const result = await importContacts(user.id, csv, { digest });
    revalidatePath("/contacts");
    const parts = [
      `${result.created.toLocaleString("en")} ${result.created === 1 ? "contact" : "contacts"} added`,
      `${result.updated.toLocaleString("en")} updated`,
    ];
    if (result.skippedRows > 0)
      parts.push(`${result.skippedRows.toLocaleString("en")} ${result.skippedRows === 1 ? "row" : "rows"} skipped`);
    return { ok: true, message: `Imported: ${parts.join(", ")}.`, result };
  } catch (error) {
    if (!(error instanceof UserError) || error.field) return refused(error, "");
    const plan = await planContactImport(user.id, csv);
    return { ok: false, message: error.message, preview: previewOf(plan), csv, encoding };
  }
}
