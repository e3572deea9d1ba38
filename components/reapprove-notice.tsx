import { LocalTime } from "./local-time";
import { SubmitButton } from "./submit-button";

const TONES = {
  info: "border-slate-200 bg-slate-50 text-slate-800",
  warning: "border-amber-200 bg-amber-50 text-amber-950",
} as const;

/** The Testing countdown: re-approve before Google ends the grant, in one click. */
export function ReapproveNotice({
  copy,
  endsAt,
  reconnectAction,
}: {
  copy: { tone: keyof typeof TONES; title: string; detail: string };
  endsAt: Date;
  reconnectAction: () => Promise<void>;
}) {
  return (
    <div
      role="group"
      aria-label={copy.title}
      className={`flex flex-col gap-3 rounded-md border px-4 py-3 text-sm sm:flex-row sm:items-center sm:justify-between ${TONES[copy.tone]}`}
    >
      <p>
        <strong className="font-semibold">{copy.title}</strong> (Google ends access{" "}
        <LocalTime iso={endsAt.toISOString()} />
        ). {copy.detail}
      </p>
      <form action={reconnectAction} className="shrink-0">
        <SubmitButton pendingLabel="Opening Google…">Re-approve at Google</SubmitButton>
      </form>
    </div>
  );
}
