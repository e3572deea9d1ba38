import type { StatusCopy } from "../connection/copy";

/** A merge's state in the user's words, with the badge tone the pages show. */
export const MERGE_STATUS_COPY: Record<
  "DRAFT" | "RUNNING" | "PAUSED" | "CANCELLED" | "FINISHED",
  { label: string; tone: StatusCopy["tone"] }
> = {
  DRAFT: { label: "Draft: not started", tone: "off" },
  RUNNING: { label: "Sending", tone: "ok" },
  PAUSED: { label: "Paused", tone: "warning" },
  CANCELLED: { label: "Cancelled", tone: "off" },
  FINISHED: { label: "Finished", tone: "ok" },
};
