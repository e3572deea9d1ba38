"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { type ActionState, FIX_BELOW, formText, NOT_UNDERSTOOD, refused } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { readComposeForm, attachmentSchema, MAX_ATTACHMENTS, MAX_ATTACHMENTS_BYTES } from "@/lib/mail/compose";
import {
  applyTemplate,
  cancelMerge,
  deleteDraftMerge,
  mergeMessageSchema,
  parseTiming,
  pauseMerge,
  prepareMerge,
  readMergeAudience,
  replaceMergeAttachments,
  resumeMerge,
  saveMergeMessage,
  saveTiming,
  setFallback,
  setSkipped,
  startMerge,
} from "@/lib/outreach/merges";
import { sendMergeTest } from "@/lib/outreach/merge-feeder";

// `formData` is typed unknown because these are public endpoints: a hand-made request can pass anything.
// Who is asking comes first: nothing is read or checked for someone signed out.

const mergePath = (id: string) => `/merges/${encodeURIComponent(id)}`;

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
    return refused(error);
  }
  revalidatePath("/merges");
  redirect(mergePath(id));
}

/** Saves the draft's name, subject and body, and its files when new ones are chosen. */
export async function saveMergeMessageAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const mergeId = formText(formData, "mergeId");
  const values = {
    name: formText(formData, "name"),
    subject: formText(formData, "subject"),
    body: formText(formData, "body"),
  };
  const parsed = mergeMessageSchema.safeParse(values);
  if (!parsed.success)
    return { ok: false, message: FIX_BELOW, fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    const { attachments } = await readComposeForm(formData);
    if (attachments && attachments.length > 0) {
      const files = z
        .array(attachmentSchema)
        .max(MAX_ATTACHMENTS, `Attachments: at most ${MAX_ATTACHMENTS} files.`)
        .safeParse(attachments);
      if (!files.success)
        return {
          ok: false,
          message: FIX_BELOW,
          fieldErrors: { attachments: [files.error.issues[0]!.message] },
          values,
        };
      if (files.data.reduce((sum, file) => sum + file.content.length, 0) > MAX_ATTACHMENTS_BYTES)
        return {
          ok: false,
          message: FIX_BELOW,
          fieldErrors: { attachments: ["Attachments add up to more than Gmail's 25 MB; send large files as a link."] },
          values,
        };
      await replaceMergeAttachments(user.id, mergeId, files.data);
    } else if (formText(formData, "removeAttachments") === "1") {
      await replaceMergeAttachments(user.id, mergeId, []);
    }
    await saveMergeMessage(user.id, mergeId, parsed.data);
  } catch (error) {
    return refused(error, values);
  }
  revalidatePath(mergePath(mergeId));
  redirect(`${mergePath(mergeId)}?notice=saved`);
}

export async function applyTemplateAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const mergeId = formText(formData, "mergeId");
  try {
    await applyTemplate(user.id, mergeId, formText(formData, "templateId"));
  } catch (error) {
    return refused(error);
  }
  revalidatePath(mergePath(mergeId));
  redirect(`${mergePath(mergeId)}?notice=template`);
}

export async function setFallbackAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const mergeId = formText(formData, "mergeId");
  try {
    await setFallback(user.id, mergeId, formText(formData, "field"), formText(formData, "fallback"));
  } catch (error) {
    return refused(error, { fallback: formText(formData, "fallback") });
  }
  revalidatePath(mergePath(mergeId));
  return { ok: true, message: "Fallback saved." };
}

export async function skipRecipientsAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const mergeId = formText(formData, "mergeId");
  const ids = formData.getAll("recipientId").filter((value): value is string => typeof value === "string");
  const skip = formText(formData, "skip") !== "0";
  let count: number;
  try {
    count = await setSkipped(
      user.id,
      mergeId,
      ids,
      skip,
      formText(formData, "reason").slice(0, 100) || "left out of this merge",
    );
  } catch (error) {
    return refused(error);
  }
  revalidatePath(mergePath(mergeId));
  return {
    ok: true,
    message: `${count} ${count === 1 ? "recipient" : "recipients"} ${skip ? "skipped" : "included again"}.`,
  };
}

export async function saveTimingAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const mergeId = formText(formData, "mergeId");
  const input = {
    startAt: formText(formData, "startAt") || undefined,
    windowed: formText(formData, "windowed") === "on",
    days: formData.getAll("days").filter((value): value is string => typeof value === "string"),
    from: formText(formData, "from"),
    to: formText(formData, "to"),
    timeZone: formText(formData, "timeZone"),
  };
  const values = {
    startAt: formText(formData, "startAtLocal"),
    from: input.from,
    to: input.to,
    timeZone: input.timeZone,
  };
  try {
    await saveTiming(user.id, mergeId, parseTiming(input, new Date()));
  } catch (error) {
    return refused(error, values);
  }
  revalidatePath(mergePath(mergeId));
  return { ok: true, message: "Timing saved; the forecast below uses it." };
}

export async function sendTestAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const index = Number(formText(formData, "index"));
  try {
    await sendMergeTest(user.id, formText(formData, "mergeId"), Number.isFinite(index) ? index : 0);
  } catch (error) {
    return refused(error);
  }
  return { ok: true, message: "Test sent to your Gmail address: it leaves in about 10 seconds, and is not counted." };
}

export async function startMergeAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const mergeId = formText(formData, "mergeId");
  try {
    await startMerge(user.id, mergeId);
  } catch (error) {
    return refused(error);
  }
  revalidatePath(mergePath(mergeId));
  revalidatePath("/merges");
  redirect(`${mergePath(mergeId)}?notice=started`);
}

const CONTROL = { pause: pauseMerge, resume: resumeMerge, cancel: cancelMerge } as const;
const CONTROL_DONE: Record<keyof typeof CONTROL, string> = {
  pause: "Paused: nothing more is handed to Gmail until you resume.",
  resume: "Resumed at the merge's pace.",
  cancel: "Cancelled: nothing more will be sent.",
};

/** Pause, resume or cancel; each applies only from the state the page showed. */
export async function controlMergeAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const mergeId = formText(formData, "mergeId");
  const command = formText(formData, "command");
  if (command !== "pause" && command !== "resume" && command !== "cancel") return NOT_UNDERSTOOD;
  const done = await CONTROL[command](user.id, mergeId);
  revalidatePath(mergePath(mergeId));
  return done
    ? { ok: true, message: CONTROL_DONE[command] }
    : {
        ok: false,
        message:
          "The merge changed meanwhile (finished, paused or cancelled elsewhere); the page now shows where it stands.",
      };
}

export async function deleteDraftMergeAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  if (!(await deleteDraftMerge(user.id, formText(formData, "mergeId"))))
    return { ok: false, message: "Only a merge that has not started can be deleted; cancel it instead." };
  revalidatePath("/merges");
  redirect("/merges?notice=deleted");
}
