"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionState } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { cancelMessage, decideMessage } from "@/lib/mail/messages";

const decisionSchema = z.object({
  id: z.string().min(1).max(64),
  decision: z.enum(["cancel", "retry", "send-again", "dismiss"]),
});

const DONE: Record<z.infer<typeof decisionSchema>["decision"], string> = {
  cancel: "Cancelled: it will not be sent.",
  retry: "Queued again: it will be sent in a moment.",
  "send-again": "Queued again: it will be sent in a moment.",
  dismiss: "Dismissed.",
};

/** One decision about one message: cancel a scheduled one, retry a failed one, settle an unknown one. */
// `formData` is typed unknown because this is a public endpoint: a hand-made request can pass anything.
export async function decideMessageAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  if (!(formData instanceof FormData))
    return { ok: false, message: "That request was not understood; reload the page." };
  const parsed = decisionSchema.safeParse({ id: formData.get("id"), decision: formData.get("decision") });
  if (!parsed.success) return { ok: false, message: "That request was not understood; reload the page." };
  const user = await requireUser();
  const { id, decision } = parsed.data;
  const applied = decision === "cancel" ? await cancelMessage(user.id, id) : await decideMessage(user.id, id, decision);
  revalidatePath("/outbox");
  return applied
    ? { ok: true, message: DONE[decision] }
    : { ok: false, message: "This message has moved on since the page was loaded; its current state is shown." };
}
