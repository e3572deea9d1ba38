import { LocalTime } from "@/components/local-time";
import { StatusBadge } from "@/components/status-badge";
import type { UnsubscribeState } from "@/lib/outreach/unsubscribe";
import { ResubscribeForm } from "./resubscribe-form";

/** Whether the contact unsubscribed (when, from which email) or was resubscribed (when, why); nothing otherwise. */
export function SubscriptionStatus({ contactId, state }: { contactId: string; state: UnsubscribeState }) {
  const { unsubscribed, resubscribed } = state;
  if (!unsubscribed && !resubscribed) return null;
  return (
    <section
      aria-labelledby="subscription-heading"
      className="space-y-3 rounded-lg border border-slate-200 bg-white px-6 py-5 shadow-sm"
    >
      <h2 id="subscription-heading" className="text-lg font-semibold">
        Email subscription
      </h2>
      {unsubscribed ? (
        <>
          <p className="flex flex-wrap items-center gap-2 text-sm">
            <StatusBadge tone="warning">Unsubscribed</StatusBadge>
            <span>
              Unsubscribed on <LocalTime iso={unsubscribed.at.toISOString()} />
              {unsubscribed.message ? ` from “${unsubscribed.message.subject || "(no subject)"}”` : ""}.
            </span>
          </p>
          <p className="text-sm text-slate-600">
            Mail merges skip {state.email}, and compose asks before sending to it.
          </p>
          <ResubscribeForm contactId={contactId} />
        </>
      ) : resubscribed ? (
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <StatusBadge tone="ok">Subscribed</StatusBadge>
          <span className="break-words">
            Resubscribed on <LocalTime iso={resubscribed.at.toISOString()} />: {resubscribed.note}
          </span>
        </p>
      ) : null}
    </section>
  );
}
