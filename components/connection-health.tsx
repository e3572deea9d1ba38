import type { StatusCopy } from "@/lib/connection/copy";
import { ReapproveNotice } from "./reapprove-notice";

type Reapprove = Omit<Parameters<typeof ReapproveNotice>[0], "reconnectAction">;

/** The connection's cause and fix in words, and the Testing countdown: what settings and the dashboard both show. */
export function ConnectionHealth({
  copy,
  reapprove,
  reconnectAction,
}: {
  copy: StatusCopy;
  reapprove: Reapprove | undefined;
  reconnectAction: () => Promise<void>;
}) {
  return (
    <>
      <div className="space-y-1 text-sm text-slate-700">
        <p>{copy.cause}</p>
        {copy.fix ? <p className="font-medium text-slate-900">{copy.fix}</p> : null}
      </div>
      {reapprove ? <ReapproveNotice {...reapprove} reconnectAction={reconnectAction} /> : null}
    </>
  );
}
