"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireUser } from "@/lib/connection/auth";
import { resubscribeContact, resubscribeSchema } from "@/lib/outreach/unsubscribe";
import { type ActionState, NOT_UNDERSTOOD } from "@/lib/platform/action-state";
import { UserError } from "@/lib/platform/errors";

const contactId = z.string().min(1).max(64);

/** Lifts a contact's unsubscribe, with the user's note saying why: only the user can, from the contact's page. */
// `formData` is typed unknown because this is a public endpoint: a hand-made request can pass anything.
export async function resubscribeContactAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const note = formData.get("note");
  const values = { note: typeof note === "string" ? note : "" };
  const id = contactId.safeParse(formData.get("id"));
  if (!id.success) return { ...NOT_UNDERSTOOD, values };
  const parsed = resubscribeSchema.safeParse(values);
  if (!parsed.success)
    return {
      ok: false,
      message: "Not resubscribed: fix what is marked below.",
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
      values,
    };
  try {
    if (!(await resubscribeContact(user.id, id.data, parsed.data.note)))
      return { ok: false, message: "This contact no longer exists; it may have been deleted.", values };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { ok: false, message: error.message, values };
  }
  revalidatePath(`/contacts/${id.data}`);
  return { ok: true, message: "Resubscribed." };
}
