import type { Metadata } from "next";
import type { ReactNode } from "react";
import { LocalTime } from "@/components/local-time";
import { ConnectionHealth } from "@/components/connection-health";
import { StatusBadge } from "@/components/status-badge";
import { SubmitButton } from "@/components/submit-button";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { getCurrentConnection, takeCurrentRestoredNotice } from "@/lib/connection/status";
import { lastSecurityEventCheck } from "@/lib/connection/risc";
import {
  describeConnection,
  reapproveNotice,
  EVENT_LABELS,
  restoredNoticeText,
  scopeLabels,
  TRANSIENT_PROBLEM_NOTE,
} from "@/lib/connection/copy";
import { replyDetectionState } from "@/lib/outreach/reply-detection";
import { REPLY_DETECTION_COPY, REPLY_DETECTION_MESSAGES, WHAT_IS_READ } from "@/lib/outreach/reply-detection-copy";
import { disconnectGmailAction, reconnectGmailAction } from "../connection-actions";
import { turnOffReplyDetectionAction, turnOnReplyDetectionAction } from "./actions";
import { DisconnectForm } from "./disconnect-form";
import { ReplyDetectionForm } from "./reply-detection-form";

export const metadata: Metadata = { title: "Settings" };

/** One fact about the connection; a moment that has not happened yet is left out rather than shown as "Never". */
function Detail({ term, at, children }: { term: string; at?: Date | null; children?: ReactNode }) {
  if (at === null) return null;
  return (
    <div>
      <dt className="text-slate-500">{term}</dt>
      <dd className="font-medium">{at ? <LocalTime iso={at.toISOString()} /> : children}</dd>
    </div>
  );
}

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ notice?: string }> }) {
  const user = await requireUser();
  const { notice } = await searchParams;
  const connection = await getCurrentConnection(user.id);
  const copy = connection ? describeConnection(connection) : undefined;
  // A reconnect that restored a broken connection is announced once, by the layout; this notice is for the others.
  const restoredByLayout = connection?.restoredAt ? await takeCurrentRestoredNotice(user.id) : null;
  const reconnected = notice === "reconnected" && connection?.status === "CONNECTED" && !restoredByLayout;
  // A reconnect with the send box unticked that kept the earlier access says so, in its event's words.
  const keptEarlier =
    reconnected && connection.events[0]?.kind === "SCOPE_MISSING" ? connection.events[0].detail : null;
  // The refusal's words come from the event it recorded, never from the URL.
  const refusal =
    notice === "other-account" ? connection?.events.find((event) => event.kind === "RECONNECT_REFUSED") : undefined;
  const scopes = scopeLabels(connection?.grantedScopes ?? []);
  const securityAlertsCheckedAt = await lastSecurityEventCheck();
  const replyDetection = await replyDetectionState(user.id);
  // Back from Google's screen: the stored grant, not the URL, says whether the box was ticked.
  const replyDetectionReturn = notice === "reply-detection" ? replyDetection : undefined;

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-bold tracking-tight">Settings</h1>
      {reconnected ? (
        <SuccessNotice>{keptEarlier ?? restoredNoticeText("reconnect", connection.googleEmail)}</SuccessNotice>
      ) : null}

      {replyDetectionReturn === "on" ? <SuccessNotice>{REPLY_DETECTION_MESSAGES.turnedOn}</SuccessNotice> : null}
      {replyDetectionReturn === "needs-permission" ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {REPLY_DETECTION_MESSAGES.notGranted}
        </p>
      ) : null}

      {refusal ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          {refusal.detail}
        </p>
      ) : null}

      <section aria-labelledby="connection-heading" className="rounded-lg border border-slate-200 bg-white shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-6 py-4">
          <h2 id="connection-heading" className="text-lg font-semibold">
            Gmail connection
          </h2>
          {copy ? <StatusBadge tone={copy.tone}>{copy.title}</StatusBadge> : null}
        </div>
        {connection && copy ? (
          <div className="space-y-6 px-6 py-5">
            <ConnectionHealth
              copy={copy}
              reapprove={reapproveNotice(connection.testingExpiry)}
              reconnectAction={reconnectGmailAction}
            />
            {connection.refreshProblem?.kind === "TRANSIENT" ? (
              <p className="text-sm text-slate-500">
                {TRANSIENT_PROBLEM_NOTE.lead} (<LocalTime iso={connection.refreshProblem.at.toISOString()} />
                ). {TRANSIENT_PROBLEM_NOTE.rest}
              </p>
            ) : null}
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
              <Detail term="Gmail address">
                <span className="break-all">{connection.googleEmail ?? "Unknown"}</span>
              </Detail>
              {connection.status !== "DISCONNECTED" ? (
                <Detail term="Connected since" at={connection.connectedSince} />
              ) : null}
              <Detail term="Last approved at Google" at={connection.lastApprovedAt} />
              <Detail term="Last renewed" at={connection.lastRefreshedAt} />
              {/* Google's security events tell Evergreen at once when access ends; shown once the stream has proved itself. */}
              {securityAlertsCheckedAt ? (
                <Detail term="Google's security alerts">
                  Arriving (last checked <LocalTime iso={securityAlertsCheckedAt.toISOString()} />)
                </Detail>
              ) : null}
              {/* Disconnected, Evergreen holds no access: what was once granted is history, not a permission. */}
              <Detail term="Granted permissions">
                {connection.status === "DISCONNECTED"
                  ? "None: disconnected"
                  : scopes.length > 0
                    ? scopes.join(", ")
                    : "None"}
              </Detail>
            </dl>
            {connection.pendingRevocations > 0 ? (
              <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
                Google has not yet confirmed that Evergreen&apos;s earlier access is revoked. Evergreen keeps retrying.
              </p>
            ) : null}
            <div className="flex flex-wrap items-start gap-4">
              <form action={reconnectGmailAction}>
                <SubmitButton variant={copy.action ? "primary" : "secondary"} pendingLabel="Opening Google…">
                  {connection.status === "DISCONNECTED" ? "Connect Gmail" : "Reconnect Gmail"}
                </SubmitButton>
              </form>
              <DisconnectForm action={disconnectGmailAction} connected={connection.status !== "DISCONNECTED"} />
            </div>
          </div>
        ) : (
          <div className="px-6 py-5 text-sm text-slate-700">
            <p>No Google account is linked yet.</p>
            <form action={reconnectGmailAction} className="mt-4">
              <SubmitButton pendingLabel="Opening Google…">Connect Gmail</SubmitButton>
            </form>
          </div>
        )}
      </section>

      <ReplyDetectionSection state={replyDetection} />

      {connection ? (
        <section
          aria-labelledby="events-heading"
          className="rounded-lg border border-slate-200 bg-white px-6 py-5 shadow-sm"
        >
          <h2 id="events-heading" className="text-lg font-semibold">
            Recent connection events
          </h2>
          {connection.events.length === 0 ? (
            <p className="mt-3 text-sm text-slate-600">Nothing has happened yet.</p>
          ) : (
            <ol className="mt-3 divide-y divide-slate-100" aria-label="Connection events">
              {connection.events.map((event) => (
                <li key={event.id} className="flex flex-col gap-0.5 py-2 text-sm sm:flex-row sm:gap-4">
                  <span className="shrink-0 text-slate-500 sm:w-52">
                    <LocalTime iso={event.createdAt.toISOString()} />
                  </span>
                  <span>
                    <span className="font-medium">{EVENT_LABELS[event.kind]}</span>
                    {event.detail ? <span className="text-slate-600"> · {event.detail}</span> : null}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
      ) : null}
    </div>
  );
}

/** "Stop when they reply": offered only when the server allows it (GMAIL_REPLY_DETECTION=metadata). */
function ReplyDetectionSection({ state }: { state: Awaited<ReturnType<typeof replyDetectionState>> }) {
  const copy = REPLY_DETECTION_COPY[state];
  if (state === "off-by-deployment") return <p className="text-sm text-slate-600">{copy.detail}</p>;
  return (
    <section
      aria-labelledby="reply-detection-heading"
      className="rounded-lg border border-slate-200 bg-white shadow-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-6 py-4">
        <h2 id="reply-detection-heading" className="text-lg font-semibold">
          Stop when they reply
        </h2>
        <StatusBadge tone={copy.tone}>{copy.status}</StatusBadge>
      </div>
      <div className="space-y-4 px-6 py-5 text-sm text-slate-700">
        <p>{WHAT_IS_READ}</p>
        <p id="reply-detection-state" className="font-medium text-slate-900">
          {copy.detail}
        </p>
        <ReplyDetectionForm state={state} turnOn={turnOnReplyDetectionAction} turnOff={turnOffReplyDetectionAction} />
      </div>
    </section>
  );
}
