import { LocalTime } from "@/components/local-time";
import type { EnrolmentStateName } from "@/lib/outreach/sequence-copy";

/** Where an enrolment stands in time: when its next step is due, or why and when it ended (sequence and contact pages). */
export function EnrolmentWhen({
  row,
  waiting,
}: {
  row: {
    state: EnrolmentStateName;
    dueAt: Date | null;
    held: boolean;
    late: boolean;
    stopReason: string | null;
    repliedAt: Date | null;
    endedAt: Date | null;
  };
  waiting: boolean;
}) {
  const at = (date: Date | null) => (date ? <LocalTime iso={date.toISOString()} /> : null);
  switch (row.state) {
    case "REPLIED":
      return <>Replied {at(row.repliedAt ?? row.endedAt)}</>;
    case "FINISHED":
      return <>Every step sent {at(row.endedAt)}</>;
    case "STOPPED":
      return (
        <>
          {row.stopReason ?? "Stopped"} {at(row.endedAt)}
        </>
      );
    default:
      if (row.late) return <strong className="text-amber-900">More than 2 days late: send it now, or skip it?</strong>;
      if (row.held || waiting) return <>Waiting for Gmail to reconnect</>;
      return row.dueAt ? <>Next step {at(row.dueAt)}</> : <>In the outbox</>;
  }
}
