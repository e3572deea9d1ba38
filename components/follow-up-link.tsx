import Link from "next/link";

/** A sent email's Follow up: compose opens with its recipients and "Re:" subject, in its Gmail thread. */
export function FollowUpLink({ messageId, subject }: { messageId: string; subject: string }) {
  return (
    <Link
      href={`/compose?followUp=${encodeURIComponent(messageId)}`}
      aria-label={`Follow up: ${subject || "(no subject)"}`}
      className="font-medium whitespace-nowrap text-brand-800 underline"
    >
      Follow up
    </Link>
  );
}
