import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { listTemplates } from "@/lib/outreach/template-store";
import { deleteTemplateAction, duplicateTemplateAction } from "./actions";
import { TemplateRowActions } from "./template-row-actions";

export const metadata: Metadata = { title: "Templates" };

const NOTICES: Record<string, string> = {
  created: "Template saved.",
  saved: "Changes saved.",
  duplicated: "Template duplicated: the copy is at the top of the list.",
  deleted: "Template deleted.",
};

const primary = "rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800";

export default async function TemplatesPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[] }>;
}) {
  const user = await requireUser();
  const { notice } = await searchParams;
  // Own keys only: ?notice=__proto__ would otherwise render Object.prototype (a 500).
  const noticeText = typeof notice === "string" && Object.hasOwn(NOTICES, notice) ? NOTICES[notice] : undefined;
  const templates = await listTemplates(user.id);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Templates</h1>
          <p className="mt-1 text-sm text-slate-600">
            Emails you send again and again, with merge fields like {"{{first_name}}"} filled in for each person.
          </p>
        </div>
        {templates.length > 0 ? (
          <Link href="/templates/new" className={primary}>
            New template
          </Link>
        ) : null}
      </div>
      {noticeText ? <SuccessNotice>{noticeText}</SuccessNotice> : null}

      {templates.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
          <p className="font-medium text-slate-800">No templates yet.</p>
          <p className="mt-1">
            Write an email once, then start from it in Compose or send it to many contacts in a merge.
          </p>
          <div className="mt-4 flex justify-center">
            <Link href="/templates/new" className={primary}>
              New template
            </Link>
          </div>
        </div>
      ) : (
        <>
          <p className="text-sm text-slate-600">
            {templates.length.toLocaleString("en")} {templates.length === 1 ? "template" : "templates"}, the most
            recently changed first.
          </p>
          <ul aria-label="Templates" className="space-y-3">
            {templates.map((template) => (
              <li
                key={template.id}
                className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:flex-row sm:items-start sm:justify-between"
              >
                <div className="min-w-0 space-y-1">
                  <h2 className="font-semibold break-words">
                    <Link href={`/templates/${template.id}/edit`} className="text-brand-800 underline">
                      {template.name}
                    </Link>
                  </h2>
                  <p className="text-sm break-words text-slate-700">
                    <span className="text-slate-500">Subject: </span>
                    {template.subject || <span className="text-slate-500 italic">none</span>}
                  </p>
                  <p className="text-xs text-slate-500">
                    Updated <LocalTime iso={template.updatedAt.toISOString()} />
                  </p>
                </div>
                <TemplateRowActions
                  id={template.id}
                  name={template.name}
                  duplicateAction={duplicateTemplateAction}
                  deleteAction={deleteTemplateAction}
                />
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
