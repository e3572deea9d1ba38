"use server";

import { revalidatePath } from "next/cache";
import { refused, type ActionState } from "@/lib/platform/action-state";
import { requireUser, signIn } from "@/lib/connection/auth";
import { setReplyDetection } from "@/lib/outreach/reply-detection";
import { REPLY_DETECTION_MESSAGES } from "@/lib/outreach/reply-detection-copy";

/**
 * "Stop when they reply" on: without gmail.metadata granted yet, off to Google to add it to the grant
 * (incremental authorization), coming back to settings, which says whether Google granted it.
 */
export async function turnOnReplyDetectionAction(): Promise<ActionState> {
  const user = await requireUser();
  let next: Awaited<ReturnType<typeof setReplyDetection>>;
  try {
    next = await setReplyDetection(user.id, true);
  } catch (error) {
    return refused(error);
  }
  if (next.authorization)
    await signIn("google", { redirectTo: "/settings?notice=reply-detection" }, next.authorization);
  revalidatePath("/settings");
  return { ok: true, message: REPLY_DETECTION_MESSAGES.turnedOn };
}

export async function turnOffReplyDetectionAction(): Promise<ActionState> {
  const user = await requireUser();
  try {
    await setReplyDetection(user.id, false);
  } catch (error) {
    return refused(error);
  }
  revalidatePath("/settings");
  return { ok: true, message: REPLY_DETECTION_MESSAGES.turnedOff };
}
