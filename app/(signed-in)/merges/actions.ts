"use server";

import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { UserError } from "@/lib/platform/errors";
import { prepareMerge, readMergeAudience } from "@/lib/outreach/merges";

const NOT_UNDERSTOOD: ActionState = { ok: false, message: "That request was not understood; reload the page." };

/**
 * "Email selected" on the contacts list (and "New merge" for a tag or a search): freezes the
 * recipients into a draft merge's ledger and opens its page, where the report is shown before anything
 * is sent. Form fields: `scope` ("selected" or "matching"), `contactId` (repeated, for "selected"),
 * `tag` and `q` (for "matching").
 */
export async function emailSelectedAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  let id: string;
  try {
    ({ id } = await prepareMerge(user.id, readMergeAudience(formData)));
  } catch (error) {
    if (error instanceof UserError) return { ok: false, message: error.message };
    throw error;
  }
  redirect(`/merges/${id}`);
}
