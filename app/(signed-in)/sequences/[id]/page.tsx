import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { EnrolmentWhen } from "@/components/enrolment-when";
import { LocalTime } from "@/components/local-time";
import { PageLinks } from "@/components/page-links";
import { StatusBadge } from "@/components/status-badge";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { listTags } from "@/lib/crm/tags";
import { followUpSubject } from "@/lib/mail/follow-up-rules";
import { describeWindow } from "@/lib/outreach/merge-schedule";
import { replyDetectionState } from "@/lib/outreach/reply-detection";
import { REPLY_DETECTION_COPY } from "@/lib/outreach/reply-detection-copy";
import { ENROLMENT_STATE_COPY, stepWaitText, waitingForReconnectText } from "@/lib/outreach/sequence-copy";
import { listEnrolments, sequenceOverview } from "@/lib/outreach/sequence-report";
import { EnrolByTag, EnrolmentActions, MoveEveryone } from "./enrolment-forms";

export const metadata: Metadata = { title: "Sequence" };

const NOTICES: Record<string, string> = {
  created: "Sequence saved. Enrol contacts below, from a selection on the contacts list, or from a contact's page.",
  saved: "Saved. The steps did not change, so everyone stays on the same version.",
};

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

const th = "py-2 pr-3 font-medium";

export default async function SequencePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ notice?: string | string[]; page?: string | string[] }>;
}) {
  const user = await requireUser();
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const overview = await sequenceOverview(user.id, id);
  if (!overview) notFound();
  const pageNumber = typeof query.page === "string" && /^\d{1,5}$/.test(query.page) ? Number(query.page) : 1;
  const [enrolments, tags, replies] = await Promise.all([
    listEnrolments(user.id, id, pageNumber),
    listTags(user.id),
    replyDetectionState(user.id),
  ]);
  if (!enrolments) notFound();
  const { sequence, counts, forecast } = overview;
  const current = sequence.currentVersion;
  const notice =
    query.notice === "version"
      ? `Saved as version ${current}; enrolled contacts stay on their version until you move them.`
      : typeof query.notice === "string" && Object.hasOwn(NOTICES, query.notice)
        ? NOTICES[query.notice]
        : undefined;
  const onOlder = overview.versions.filter((version) => version.number !== current);
  const activeOnOlder = onOlder.reduce((sum, version) => sum + version.active, 0);
  const firstSubject = sequence.steps[0]?.subject ?? "";
  const waiting = counts.waitingForReconnect > 0;

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/sequences" className="font-medium text-brand-700 underline">
          ← All sequences
        </Link>
      </p>
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold tracking-tight break-words">{sequence.name}</h1>
          <p className="mt-1 text-sm text-slate-600">
            Version {current}. Sends{" "}
            {describeWindow({
              days: sequence.windowDays,
              startMinute: sequence.windowStartMinute,
              endMinute: sequence.windowEndMinute,
              timeZone: sequence.timeZone,
            })}
            , read in each contact&apos;s own time zone when they have one.
          </p>
        </div>
        <Link
          href={`/sequences/${sequence.id}/edit`}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
        >
          Edit
        </Link>
      </div>

      {waiting ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {waitingForReconnectText(counts.waitingForReconnect)}{" "}
          <Link href="/settings" className="font-medium underline">
            Reconnect in Settings
          </Link>
        </p>
      ) : null}
      {counts.late > 0 ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {counts.late === 1 ? "A step is" : `${counts.late} steps are`} more than 2 days late and{" "}
          {counts.late === 1 ? "waits" : "wait"} for you: choose Send now or Skip in the list below.
        </p>
      ) : null}
      <p className="text-sm text-slate-700">
        {replies === "on" ? (
          "A contact leaves the sequence when they reply: reply detection is on."
        ) : (
          <>
            {REPLY_DETECTION_COPY[replies].detail}{" "}
            {replies !== "off-by-deployment" ? (
              <Link href="/settings" className="font-medium text-brand-700 underline">
                Reply detection in Settings
              </Link>
            ) : null}
          </>
        )}
      </p>

      <Section title="Enrolled" id="counts-heading">
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4 lg:grid-cols-7">
          {(
            [
              ["Enrolled", counts.enrolled],
              ["Active", counts.active],
              ["Replied", counts.replied],
              ["Finished", counts.finished],
              ["Stopped", counts.stopped],
              ["Late", counts.late],
              ["Waiting for reconnect", counts.waitingForReconnect],
            ] as const
          ).map(([label, count]) => (
            <div key={label}>
              <dt className="text-slate-500">{label}</dt>
              <dd className="text-lg font-semibold">{count.toLocaleString("en")}</dd>
            </div>
          ))}
        </dl>
      </Section>

      <Section title="Steps" id="steps-heading">
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">
              Each step of version {current}, with how many were sent and replied to
            </caption>
            <thead>
              <tr className="border-b border-slate-200 text-slate-500">
                <th scope="col" className={th}>
                  Step
                </th>
                <th scope="col" className={th}>
                  When
                </th>
                <th scope="col" className={th}>
                  Subject and message
                </th>
                <th scope="col" className={th}>
                  Sent
                </th>
                <th scope="col" className="py-2 font-medium">
                  Replies
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.steps.map(({ position, step, sent, replies: replied }) => (
                <tr key={position} className="border-b border-slate-100 align-top">
                  <th scope="row" className="py-2 pr-3 font-medium whitespace-nowrap">
                    Step {position + 1}
                  </th>
                  <td className="py-2 pr-3 text-slate-700">
                    {step ? stepWaitText(position, step.delayDays, step.businessDays) : "Older versions only"}
                  </td>
                  <td className="max-w-md py-2 pr-3 break-words">
                    {step ? (
                      <>
                        <span className="font-medium">
                          {position === 0 ? step.subject : followUpSubject(firstSubject)}
                        </span>
                        <span className="line-clamp-2 block text-slate-600">{step.body}</span>
                      </>
                    ) : null}
                  </td>
                  <td className="py-2 pr-3">{sent.toLocaleString("en")}</td>
                  <td className="py-2">{replied.toLocaleString("en")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {overview.repliesBeforeFirst > 0 ? (
          <p className="text-sm text-slate-600">
            {overview.repliesBeforeFirst.toLocaleString("en")} marked as replied before the first email went out.
          </p>
        ) : null}
      </Section>

      <Section title="Next 7 days" id="forecast-heading">
        <p className="text-sm text-slate-600">
          Steps of this sequence due each day, in {sequence.timeZone}. Merges and sequences together may send{" "}
          {forecast.budget.toLocaleString("en")} of your {forecast.dailyLimit.toLocaleString("en")} daily Gmail sends;
          the rest is kept for your one-to-one email. A step over that share waits for the next day.
        </p>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Steps due on each of the next 7 days</caption>
            <thead>
              <tr className="border-b border-slate-200 text-slate-500">
                <th scope="col" className={th}>
                  Day
                </th>
                <th scope="col" className={th}>
                  Steps due
                </th>
                <th scope="col" className="py-2 font-medium">
                  Within the daily share
                </th>
              </tr>
            </thead>
            <tbody>
              {forecast.days.map((day) => (
                <tr key={day.day} className="border-b border-slate-100">
                  <th scope="row" className="py-2 pr-3 font-medium">
                    {day.label}
                  </th>
                  <td className="py-2 pr-3">{day.count.toLocaleString("en")}</td>
                  <td className="py-2">
                    {day.overBudget ? (
                      <span className="font-medium text-amber-900">
                        No: over by {(day.count - forecast.budget).toLocaleString("en")}
                      </span>
                    ) : (
                      "Yes"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      {overview.versions.length > 1 ? (
        <Section title="Versions" id="versions-heading">
          <ul className="list-disc pl-5 text-sm text-slate-700">
            {overview.versions.map((version) => (
              <li key={version.number}>
                Version {version.number}
                {version.number === current ? " (current)" : ""}: {version.stepCount}{" "}
                {version.stepCount === 1 ? "step" : "steps"}, {version.active.toLocaleString("en")} active, saved{" "}
                <LocalTime iso={version.createdAt.toISOString()} />
              </li>
            ))}
          </ul>
          {activeOnOlder > 0 ? <MoveEveryone sequenceId={sequence.id} version={current} count={activeOnOlder} /> : null}
        </Section>
      ) : null}

      <Section title="Enrol contacts" id="enrol-heading">
        <p className="text-sm text-slate-600">
          New enrolments follow version {current} and get the first email at the next opening of the window. Contacts
          who unsubscribed are never enrolled; one already in this sequence is not enrolled twice. You can also enrol a
          selection on the{" "}
          <Link href="/contacts" className="font-medium text-brand-700 underline">
            contacts list
          </Link>{" "}
          or one contact from their page.
        </p>
        {tags.length > 0 ? (
          <EnrolByTag sequenceId={sequence.id} tags={tags} />
        ) : (
          <p className="text-sm text-slate-600">No tags yet: tag contacts to enrol them all at once.</p>
        )}
      </Section>

      <Section title="Enrolments" id="enrolments-heading">
        {enrolments.total === 0 ? (
          <p className="text-sm text-slate-600">Nobody is enrolled yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Each contact enrolled, with its version, state and next step</caption>
              <thead>
                <tr className="border-b border-slate-200 text-slate-500">
                  <th scope="col" className={th}>
                    Contact
                  </th>
                  <th scope="col" className={th}>
                    State
                  </th>
                  <th scope="col" className={th}>
                    Step
                  </th>
                  <th scope="col" className={th}>
                    Next
                  </th>
                  <th scope="col" className="py-2 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {enrolments.rows.map((row) => {
                  const who = row.contact?.name || row.email;
                  const copy = ENROLMENT_STATE_COPY[row.state];
                  return (
                    <tr key={row.id} className="border-b border-slate-100 align-top">
                      <th scope="row" className="py-2 pr-3 font-medium break-all">
                        {row.contact ? (
                          <Link href={`/contacts/${row.contact.id}`} className="text-brand-700 underline">
                            {who}
                          </Link>
                        ) : (
                          who
                        )}
                        {row.contact?.name ? (
                          <span className="block text-xs font-normal text-slate-500">{row.email}</span>
                        ) : null}
                      </th>
                      <td className="py-2 pr-3">
                        <StatusBadge tone={row.late || (row.state === "ACTIVE" && waiting) ? "warning" : copy.tone}>
                          {row.late ? "Late" : copy.label}
                        </StatusBadge>
                      </td>
                      <td className="py-2 pr-3 whitespace-nowrap">
                        {row.stepText}
                        {row.version !== current ? (
                          <span className="block text-xs text-slate-500">on version {row.version}</span>
                        ) : null}
                      </td>
                      <td className="py-2 pr-3 text-slate-700">
                        <EnrolmentWhen row={row} waiting={waiting} />
                      </td>
                      <td className="py-2">
                        <EnrolmentActions
                          sequenceId={sequence.id}
                          enrolmentId={row.id}
                          who={who}
                          state={row.state}
                          late={row.late}
                          moveTo={row.state === "ACTIVE" && row.version !== current ? current : undefined}
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <PageLinks
          label="Enrolment pages"
          page={enrolments.page}
          pageCount={enrolments.pageCount}
          href={(page) => `/sequences/${sequence.id}?page=${page}#enrolments-heading`}
        />
      </Section>
    </div>
  );
}
