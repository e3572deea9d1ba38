import type { StatusCopy } from "@/lib/connection/copy";
import { SubmitButton } from "./submit-button";

/** Shown on every signed-in page while the Gmail connection needs attention: the cause, its fix, and its one button. */
export function ConnectionBanner({ copy, fixAction }: { copy: StatusCopy; fixAction: () => Promise<void> }) {
  const urgent = copy.tone === "error";
  return (
    <div
      role={urgent ? "alert" : "status"}
      aria-label="Gmail connection"
      className={`border-b ${urgent ? "border-red-200 bg-red-50" : "border-amber-200 bg-amber-50"}`}
    >
      <div className="mx-auto flex max-w-5xl flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-slate-800">
          <strong className="font-semibold">Gmail: {copy.title}.</strong> {copy.cause}
          {copy.fix ? <strong className="font-medium"> {copy.fix}</strong> : null}
        </p>
        {copy.action ? (
          <form action={fixAction} className="shrink-0">
            <SubmitButton pendingLabel="Opening Google…">
              {copy.action === "connect" ? "Connect Gmail" : "Reconnect Gmail"}
            </SubmitButton>
          </form>
        ) : null}
      </div>
    </div>
  );
}
