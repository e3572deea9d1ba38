import { createHash } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { FollowUpLink } from "@/components/follow-up-link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { LocalTime } from "@/components/local-time";
import { PageLinks } from "@/components/page-links";
import { StatusBadge } from "@/components/status-badge";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { formatBytes } from "@/lib/mail/attachment-limits";
import { KNOWN_FIELDS_TEXT } from "@/lib/outreach/templates";
import { listTemplates } from "@/lib/outreach/template-store";
import { mergeLedger, mergePreview, mergeProgress, mergeReport, type LedgerState } from "@/lib/outreach/merge-report";
import { windowOf } from "@/lib/outreach/merge-rules";
import { clock, describeWindow, MERGE_PACE, WEEKDAYS, type Forecast } from "@/lib/outreach/merge-schedule";
import { MERGE_STATUS_COPY } from "@/lib/outreach/merge-copy";
import {
  FallbackForm,
  MergeMessageForm,
  SendTestForm,
  SkipForm,
  StartForm,
  TemplatePicker,
  TimingForm,
} from "./draft-forms";
import { DeleteDraft, LiveRefresh, RunControls } from "./run-controls";

export const metadata: Metadata = { title: "Merge" };

const NOTICES: Record<string, string> = {
  started: "Started. Each recipient is handed to Gmail at the merge's pace; this page keeps itself current.",
  template: "Template copied into the message. Check the report below.",
  saved: "Message saved. The report below is up to date.",
};

/**
 * Remounts the message form (its fields are uncontrolled) only when the stored message changed: after a
 * save or a template, not when a fallback or the timing is saved, which would lose what is being typed.
 */
const messageKey = (merge: { name: string; subject: string; body: string }) =>
  createHash("sha256").update(`${merge.name}\u0000${merge.subject}\u0000${merge.body}`).digest("base64url");

const SHOWN_PER_FIELD = 10;

function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section aria-labelledby={id} className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function ForecastText({ forecast, windowText }: { forecast: Forecast; windowText?: string }) {
  if (!forecast.lastSendAt) return <p className="text-sm text-slate-600">Nothing is left to send.</p>;
  return (
    <div className="space-y-2 text-sm">
      <p>
        The last message is expected to go out{" "}
        <strong>
          <LocalTime iso={forecast.lastSendAt.toISOString()} />
        </strong>
        , at up to {MERGE_PACE.sendsPerMinute} a minute{windowText ? `, ${windowText}` : ""}, within your daily Gmail
        limit (shared with your one-to-one email, which always goes first).
      </p>
      {forecast.days.length > 1 ? (
        <ul className="list-disc pl-5 text-slate-700">
          {forecast.days.map((day) => (
            <li key={day.startsAt.toISOString()}>
              From <LocalTime iso={day.startsAt.toISOString()} />: {day.count.toLocaleString("en")} messages
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

const LEDGER_TONES: Record<LedgerState, "ok" | "warning" | "error" | "off"> = {
  pending: "off",
  sending: "warning",
  sent: "ok",
  failed: "error",
  unknown: "warning",
  skipped: "off",
  cancelled: "off",
  waiting: "warning",
};
const LEDGER_LABELS: Record<LedgerState, string> = {
  pending: "Pending",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
  unknown: "Unknown",
  skipped: "Skipped",
  cancelled: "Cancelled",
  waiting: "Waiting for reconnect",
};

export default async function MergePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ notice?: string | string[]; preview?: string | string[]; page?: string | string[] }>;
}) {
  const user = await requireUser();
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const report = await mergeReport(user.id, id);
  if (!report) notFound();
  const { merge } = report;
  const previewIndex = typeof query.preview === "string" && /^\d{1,5}$/.test(query.preview) ? Number(query.preview) : 0;
  const ledgerPageNumber = typeof query.page === "string" && /^\d{1,4}$/.test(query.page) ? Number(query.page) : 1;
  const [progress, preview, ledger, templates] = await Promise.all([
    mergeProgress(user.id, id),
    mergePreview(user.id, id, previewIndex),
    merge.status === "DRAFT" ? null : mergeLedger(user.id, id, ledgerPageNumber),
    merge.status === "DRAFT" ? listTemplates(user.id) : [],
  ]);
  if (!progress) notFound();
  const notice =
    typeof query.notice === "string" && Object.hasOwn(NOTICES, query.notice) ? NOTICES[query.notice] : undefined;
  const window = windowOf(merge);
  const windowText = window ? `only ${describeWindow(window)}` : undefined;
  const status = MERGE_STATUS_COPY[merge.status];
  const draft = merge.status === "DRAFT";
  const previewHref = (index: number) => `/merges/${merge.id}?preview=${index}#preview`;

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/merges" className="font-medium text-brand-700 underline">
          ← All merges
        </Link>
      </p>
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      {merge.status === "RUNNING" ? <LiveRefresh /> : null}
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold tracking-tight break-words">{merge.name}</h1>
          <p className="mt-1 text-sm text-slate-600">
            To {merge.audience}. Created <LocalTime iso={merge.createdAt.toISOString()} />.
          </p>
        </div>
        <StatusBadge tone={progress.waitingForReconnect ? "warning" : status.tone}>
          {progress.waitingForReconnect ? "Waiting for reconnect" : status.label}
        </StatusBadge>
      </div>

      {progress.waitingForReconnect ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Waiting for reconnect: Gmail needs reconnecting before this merge can go on.{" "}
          <Link href="/settings" className="font-medium underline">
            Reconnect in Settings
          </Link>
          ; the merge then resumes in order at its pace, never all at once.
        </p>
      ) : null}

      {!draft ? (
        <Section title="Progress" id="progress-heading">
          <p className="text-base" aria-live="polite">
            Sent <strong>{progress.sent.toLocaleString("en")}</strong> of{" "}
            <strong>{(progress.total - progress.skipped).toLocaleString("en")}</strong>
            {progress.skipped > 0 ? ` (${progress.skipped.toLocaleString("en")} skipped)` : ""}.{" "}
            {progress.nextSendAt && merge.status === "RUNNING" && !progress.waitingForReconnect ? (
              <>
                Next send: <LocalTime iso={progress.nextSendAt.toISOString()} />.
              </>
            ) : null}
          </p>
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-5">
            {[
              ["Pending", progress.pending + progress.inFlight],
              ["Failed", progress.failed],
              ["Unknown", progress.unknown],
              ["Skipped", progress.skipped],
              ["Cancelled", progress.cancelled],
            ].map(([label, count]) => (
              <div key={label}>
                <dt className="text-slate-500">{label}</dt>
                <dd className="font-semibold">{count}</dd>
              </div>
            ))}
          </dl>
          {merge.status === "RUNNING" || merge.status === "PAUSED" ? (
            <ForecastText forecast={progress.forecast} windowText={windowText} />
          ) : null}
          {progress.failures.length > 0 ? (
            <div>
              <h3 className="text-sm font-semibold">Failures</h3>
              <ul className="mt-1 list-disc pl-5 text-sm text-red-800">
                {progress.failures.map((failure, index) => (
                  <li key={index}>
                    {failure.email}: {failure.reason}
                  </li>
                ))}
              </ul>
              {progress.unknown > 0 ? (
                <p className="mt-1 text-sm text-slate-700">
                  “Unknown” means Gmail did not answer after the message left: check your Gmail Sent folder, then decide
                  in the{" "}
                  <Link href="/outbox" className="font-medium underline">
                    outbox
                  </Link>
                  .
                </p>
              ) : null}
            </div>
          ) : null}
          <RunControls mergeId={merge.id} status={merge.status} />
        </Section>
      ) : null}

      {draft ? (
        <>
          <Section title="Message" id="message-heading">
            <TemplatePicker
              mergeId={merge.id}
              templates={templates.map((template) => ({ id: template.id, name: template.name }))}
            />
            <MergeMessageForm
              key={messageKey(merge)}
              mergeId={merge.id}
              initial={{ name: merge.name, subject: merge.subject, body: merge.body }}
              knownFields={KNOWN_FIELDS_TEXT}
              attachments={merge.attachments.map((file) => ({
                id: file.id,
                filename: file.filename,
                size: formatBytes(file.size),
              }))}
            />
          </Section>

          <Section title="Report" id="report-heading">
            <p className="text-base">
              <strong>{report.included.toLocaleString("en")}</strong> of {report.total.toLocaleString("en")}{" "}
              {report.total === 1 ? "recipient" : "recipients"} will get this email, each a message of their own with
              only their address in To.
            </p>
            <ul className="list-disc pl-5 text-sm text-slate-700">
              <li>Unsubscribed, excluded: {report.excluded.unsubscribed}</li>
              <li>Duplicate addresses, excluded: {report.excluded.duplicates}</li>
              {report.excluded.skippedByYou > 0 ? <li>Skipped by you: {report.excluded.skippedByYou}</li> : null}
            </ul>
            {report.fields.length === 0 ? (
              <p className="text-sm text-slate-600">The message uses no merge fields yet.</p>
            ) : (
              <div className="space-y-4">
                {report.fields.map((field) => (
                  <div key={field.field} className="rounded-md border border-slate-200 p-3">
                    <h3 className="text-sm font-semibold">
                      {`{{${field.field}}}`}:{" "}
                      {field.missing.length === 0
                        ? field.fallback
                          ? `every recipient has a value or gets “${field.fallback}”.`
                          : "every recipient has a value."
                        : `${field.missing.length} ${field.missing.length === 1 ? "recipient has" : "recipients have"} no ${field.label}.`}
                    </h3>
                    {field.missing.length > 0 ? (
                      <>
                        <ul className="mt-2 list-disc pl-5 text-sm">
                          {field.missing.slice(0, SHOWN_PER_FIELD).map((recipient) => (
                            <li key={recipient.recipientId}>
                              {recipient.name}
                              {recipient.name !== recipient.email ? ` <${recipient.email}>` : ""}
                              {recipient.contactId ? (
                                <>
                                  {" "}
                                  <Link
                                    href={`/contacts/${recipient.contactId}/edit`}
                                    className="font-medium text-brand-700 underline"
                                  >
                                    Edit contact<span className="sr-only"> {recipient.name}</span>
                                  </Link>
                                </>
                              ) : null}
                            </li>
                          ))}
                        </ul>
                        {field.missing.length > SHOWN_PER_FIELD ? (
                          <p className="text-sm text-slate-600">and {field.missing.length - SHOWN_PER_FIELD} more.</p>
                        ) : null}
                        <div className="mt-3 flex flex-wrap items-start gap-6">
                          <FallbackForm
                            mergeId={merge.id}
                            field={field.field}
                            label={field.label}
                            current={field.fallback}
                          />
                          <SkipForm
                            mergeId={merge.id}
                            recipientIds={field.missing.map((recipient) => recipient.recipientId)}
                            label={`Skip these ${field.missing.length}`}
                            reason={`no ${field.label}`}
                          />
                        </div>
                      </>
                    ) : (
                      <FallbackForm
                        mergeId={merge.id}
                        field={field.field}
                        label={field.label}
                        current={field.fallback}
                      />
                    )}
                  </div>
                ))}
              </div>
            )}
            {report.skippedRows.length > 0 ? (
              <details className="text-sm">
                <summary className="cursor-pointer font-medium">
                  Excluded recipients ({report.skippedRows.length})
                </summary>
                <ul className="mt-2 list-disc pl-5">
                  {report.skippedRows.slice(0, 200).map((row) => (
                    <li key={row.recipientId}>
                      {row.name} {row.name !== row.email ? `<${row.email}>` : ""}: {row.reason}
                    </li>
                  ))}
                </ul>
                {report.excluded.skippedByYou > 0 ? (
                  <SkipForm
                    mergeId={merge.id}
                    recipientIds={report.skippedRows
                      .filter((row) => row.reason.startsWith("Skipped by you"))
                      .map((row) => row.recipientId)}
                    label="Include the ones you skipped"
                    reason=""
                    include
                  />
                ) : null}
              </details>
            ) : null}
          </Section>
        </>
      ) : null}

      {preview ? (
        <Section title="Preview" id="preview">
          <p className="text-sm text-slate-600">
            As recipient {preview.index + 1} of {preview.count} gets it:{" "}
            {preview.recipient.name || preview.recipient.email}
            {preview.recipient.name ? ` <${preview.recipient.email}>` : ""}
            {preview.recipient.skipped ? ` (excluded: ${preview.recipient.skipReason})` : ""}.
          </p>
          <nav aria-label="Preview recipients" className="flex gap-3 text-sm">
            {preview.index > 0 ? (
              <Link href={previewHref(preview.index - 1)} className="font-medium text-brand-700 underline">
                ← Previous recipient
              </Link>
            ) : null}
            {preview.index < preview.count - 1 ? (
              <Link href={previewHref(preview.index + 1)} className="font-medium text-brand-700 underline">
                Next recipient →
              </Link>
            ) : null}
          </nav>
          <div className="rounded-md border border-slate-200 bg-slate-50 p-4 text-sm">
            <p>
              <span className="text-slate-500">To:</span> {preview.recipient.email}
            </p>
            <p>
              <span className="text-slate-500">Subject:</span> <strong>{preview.subject || "(no subject yet)"}</strong>
            </p>
            <pre className="mt-3 font-sans break-words whitespace-pre-wrap">{preview.body || "(no message yet)"}</pre>
            <p className="mt-3 border-t border-slate-200 pt-2 text-xs text-slate-500">
              Below it: “Unsubscribe: …” with this recipient&apos;s own one-click link.
            </p>
          </div>
          {preview.missing.length > 0 ? (
            <p className="text-sm text-amber-800">This recipient has no value for: {preview.missing.join(", ")}.</p>
          ) : null}
          {draft ? <SendTestForm mergeId={merge.id} index={preview.index} /> : null}
        </Section>
      ) : null}

      {draft ? (
        <>
          <Section title="When" id="timing-heading">
            <TimingForm
              key={messageKey(merge)}
              mergeId={merge.id}
              initial={{
                startAt: merge.startAt?.toISOString(),
                windowed: Boolean(window),
                days: window?.days ?? WEEKDAYS,
                from: clock(window?.startMinute ?? 9 * 60),
                to: clock(window?.endMinute ?? 17 * 60),
                timeZone: window?.timeZone,
              }}
            />
            <ForecastText forecast={progress.forecast} windowText={windowText} />
          </Section>
          <Section title="Start" id="start-heading">
            <p className="text-sm text-slate-600">
              Nothing is sent before you start. Starting twice (a double click, another tab) starts it once.
            </p>
            <StartForm mergeId={merge.id} count={report.included} />
            <DeleteDraft mergeId={merge.id} />
          </Section>
        </>
      ) : null}

      {ledger ? (
        <Section title="Ledger" id="ledger-heading">
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">One row per recipient, with what happened</caption>
              <thead>
                <tr className="border-b border-slate-200 text-slate-500">
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Recipient
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    State
                  </th>
                  <th scope="col" className="py-2 font-medium">
                    Details
                  </th>
                </tr>
              </thead>
              <tbody>
                {ledger.rows.map((row) => (
                  <tr key={row.id} className="border-b border-slate-100 align-top">
                    <td className="py-2 pr-3 break-all">
                      {row.contact ? (
                        <Link href={`/contacts/${row.contact.id}`} className="text-brand-700 underline">
                          {row.contact.name || row.email}
                        </Link>
                      ) : (
                        row.email
                      )}
                      {row.contact?.name ? <span className="block text-xs text-slate-500">{row.email}</span> : null}
                    </td>
                    <td className="py-2 pr-3">
                      <StatusBadge tone={LEDGER_TONES[row.state]}>{LEDGER_LABELS[row.state]}</StatusBadge>
                    </td>
                    <td className="py-2 text-xs text-slate-700">
                      {row.state === "sent" && row.message ? (
                        <>
                          {row.message.sentAt ? <LocalTime iso={row.message.sentAt.toISOString()} /> : null} · Gmail id{" "}
                          {row.message.gmailMessageId}, thread {row.message.gmailThreadId} ·{" "}
                          <FollowUpLink messageId={row.message.id} subject={row.message.subject} />
                        </>
                      ) : (
                        (row.reason ?? "")
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <PageLinks
            label="Ledger pages"
            page={ledger.page}
            pageCount={ledger.pageCount}
            href={(page) => `/merges/${merge.id}?page=${page}`}
          />
        </Section>
      ) : null}
    </div>
  );
}
