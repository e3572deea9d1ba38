import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/connection/auth";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "@/lib/crm/contact-fields";
import { IMPORT_MERGE_RULE } from "@/lib/crm/import";
import { importContactsAction, previewImportAction } from "./actions";
import { ImportFlow } from "./import-flow";

export const metadata: Metadata = { title: "Import contacts" };

export default async function ImportContactsPage() {
  await requireUser();
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/contacts" className="font-medium text-brand-700 underline">
          ← All contacts
        </Link>
      </p>
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Import contacts</h1>
        <p className="mt-1 text-sm text-slate-600">
          From a spreadsheet saved as CSV. You see what will change before anything is saved.
        </p>
      </div>
      <ImportFlow
        previewAction={previewImportAction}
        importAction={importContactsAction}
        mergeRule={IMPORT_MERGE_RULE}
        limits={{ rows: MAX_IMPORT_ROWS, megabytes: MAX_IMPORT_BYTES / 1024 / 1024 }}
      />
    </div>
  );
}
