"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { type ActionState, FIX_BELOW, NOT_UNDERSTOOD, refused } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { readTemplateForm, templateSchema } from "@/lib/outreach/template-rules";
import { createTemplate, deleteTemplate, duplicateTemplate, updateTemplate } from "@/lib/outreach/template-store";

const templateId = z.string().min(1).max(64);
// `formData` is typed unknown below because these are public endpoints: a hand-made request can pass anything.
// Who is asking comes first: nothing is read or checked for someone signed out.
const GONE = "This template no longer exists; it may have been deleted.";

export async function createTemplateAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = readTemplateForm(formData);
  const parsed = templateSchema.safeParse(values);
  if (!parsed.success)
    return { ok: false, message: FIX_BELOW, fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    await createTemplate(user.id, parsed.data);
  } catch (error) {
    return refused(error, values);
  }
  revalidatePath("/templates");
  redirect("/templates?notice=created");
}

export async function updateTemplateAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = readTemplateForm(formData);
  const id = templateId.safeParse(formData.get("id"));
  if (!id.success) return { ...NOT_UNDERSTOOD, values };
  const parsed = templateSchema.safeParse(values);
  if (!parsed.success)
    return { ok: false, message: FIX_BELOW, fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  if (!(await updateTemplate(user.id, id.data, parsed.data))) return { ok: false, message: GONE, values };
  revalidatePath("/templates");
  redirect("/templates?notice=saved");
}

export async function duplicateTemplateAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const id = templateId.safeParse(formData.get("id"));
  if (!id.success) return NOT_UNDERSTOOD;
  let copy: { id: string } | null;
  try {
    copy = await duplicateTemplate(user.id, id.data);
  } catch (error) {
    return refused(error);
  }
  if (!copy) return { ok: false, message: GONE };
  revalidatePath("/templates");
  redirect("/templates?notice=duplicated");
}

export async function deleteTemplateAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const id = templateId.safeParse(formData.get("id"));
  if (!id.success) return NOT_UNDERSTOOD;
  if (!(await deleteTemplate(user.id, id.data)))
    return { ok: false, message: "This template no longer exists; it may have been deleted already." };
  revalidatePath("/templates");
  redirect("/templates?notice=deleted");
}
