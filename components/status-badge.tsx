import type { StatusCopy } from "@/lib/connection/copy";

const TONES: Record<StatusCopy["tone"], string> = {
  ok: "bg-emerald-100 text-emerald-800 ring-emerald-600/20",
  warning: "bg-amber-100 text-amber-900 ring-amber-600/30",
  error: "bg-red-100 text-red-800 ring-red-600/20",
  off: "bg-slate-100 text-slate-700 ring-slate-500/20",
};

export function StatusBadge({ tone, children }: { tone: StatusCopy["tone"]; children: string }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}
