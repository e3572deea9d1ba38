import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { StatusBadge } from "@/components/status-badge";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { listTags } from "@/lib/crm/tags";
import { listMerges } from "@/lib/outreach/merge-report";
import { MERGE_STATUS_COPY } from "@/lib/outreach/merge-copy";
import { NewMergeForm } from "./new-merge-form";

export const metadata: Metadata = { title: "Merges" };

const NOTICES: Record<string, string> = { deleted: "Draft merge deleted." };

export default async function MergesPage({ searchParams }: { searchParams: Promise<{ notice?: string | string[] }> }) {
  const user = await requireUser();
  const [{ notice }, merges, tags] = await Promise.all([searchParams, listMerges(user.id), listTags(user.id)]);
  const noticeText = typeof notice === "string" && Object.hasOwn(NOTICES, notice) ? NOTICES[notice] : undefined;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Merges</h1>
        <p className="mt-1 text-sm text-slate-600">
          One email, personalised for many contacts, sent one at a time from your Gmail at a pace Gmail accepts.
        </p>
      </div>
      {noticeText ? <SuccessNotice>{noticeText}</SuccessNotice> : null}
      <NewMergeForm tags={tags} />
      {merges.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center text-sm text-slate-600">
          No merges yet. Prepare one above, or select contacts on the{" "}
          <Link href="/contacts" className="font-medium text-brand-700 underline">
            contacts list
          </Link>
          .
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white shadow-sm">
          {merges.map((merge) => (
            <li key={merge.id} className="flex flex-wrap items-center justify-between gap-3 p-4">
              <div className="min-w-0">
                <Link href={`/merges/${merge.id}`} className="font-medium break-words text-brand-800 underline">
                  {merge.name}
                </Link>
                <p className="text-sm text-slate-600">
                  To {merge.audience} · sent {merge.sent.toLocaleString("en")} of {merge.total.toLocaleString("en")} ·{" "}
                  <LocalTime iso={merge.createdAt.toISOString()} />
                </p>
              </div>
              <StatusBadge tone={MERGE_STATUS_COPY[merge.status].tone}>
                {MERGE_STATUS_COPY[merge.status].label}
              </StatusBadge>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
