"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { type ActionState, FIX_BELOW, NOT_UNDERSTOOD, refused } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { contactFormSchema, readContactForm } from "@/lib/crm/contact-form";
import { createContact, deleteContact, updateContact } from "@/lib/crm/contacts";

const contactId = z.string().min(1).max(64);
// `formData` is typed unknown below because these are public endpoints: a hand-made request can pass anything.
// Who is asking comes first: nothing is read or checked for someone signed out.

export async function createContactAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = readContactForm(formData);
  const parsed = contactFormSchema.safeParse(values);
  if (!parsed.success)
    return { ok: false, message: FIX_BELOW, fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  let id: string;
  try {
    ({ id } = await createContact(user.id, parsed.data));
  } catch (error) {
    return refused(error, values);
  }
  revalidatePath("/contacts");
  redirect(`/contacts/${id}?notice=created`);
}

export async function updateContactAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = readContactForm(formData);
  const id = contactId.safeParse(formData.get("id"));
  if (!id.success) return { ok: false, message: "That request was not understood; reload the page.", values };
  const parsed = contactFormSchema.safeParse(values);
  if (!parsed.success)
    return { ok: false, message: FIX_BELOW, fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  let updated: boolean;
  try {
    updated = await updateContact(user.id, id.data, parsed.data);
  } catch (error) {
    return refused(error, values);
  }
  if (!updated) return { ok: false, message: "This contact no longer exists; it may have been deleted.", values };
  revalidatePath("/contacts");
  redirect(`/contacts/${id.data}?notice=saved`);
}

export async function deleteContactAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const id = contactId.safeParse(formData.get("id"));
  if (!id.success) return { ok: false, message: "That request was not understood; reload the page." };
  if (!(await deleteContact(user.id, id.data)))
    return { ok: false, message: "This contact no longer exists; it may have been deleted already." };
  revalidatePath("/contacts");
  redirect("/contacts?notice=deleted");
}
