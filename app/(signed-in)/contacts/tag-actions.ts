"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, formText, NOT_UNDERSTOOD, refused } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { addTagToContacts, readTagTarget, removeTagFromContacts, type TagAdded, type TagRemoved } from "@/lib/crm/tags";
import { TAG_LIMITS } from "@/lib/crm/contact-fields";

// `formData` is typed unknown below because these are public endpoints: a hand-made request can pass anything.
// Who is asking comes first: nothing is read or checked for someone signed out.

const contacts = (count: number) => `${count.toLocaleString("en")} ${count === 1 ? "contact" : "contacts"}`;

function addedMessage({ label, matched, added, already, full }: TagAdded): string {
  if (matched === 0) return "None of those contacts is in your list any more; nothing was tagged.";
  if (added === 0 && full === 0)
    return `${matched === 1 ? "That contact already has" : `All ${contacts(matched)} already have`} the tag “${label}”.`;
  const parts = [`Tag “${label}” added to ${contacts(added)}.`];
  if (already > 0) parts.push(`${contacts(already)} already had it.`);
  if (full > 0)
    parts.push(
      `${contacts(full)} already ${full === 1 ? "has" : "have"} ${TAG_LIMITS.perContact} tags and ${full === 1 ? "was" : "were"} left out.`,
    );
  return parts.join(" ");
}

function removedMessage({ label, removed }: TagRemoved): string {
  return removed === 0
    ? `None of those contacts has the tag “${label}”.`
    : `Tag “${label}” removed from ${contacts(removed)}.`;
}

/** Adds the tag in `label` to the selected contacts (`contactId`, repeated) or to all matching (`scope`, `tag`, `q`). */
export async function addTagAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = { label: formText(formData, "label") };
  let result: TagAdded;
  try {
    result = await addTagToContacts(user.id, readTagTarget(formData), values.label);
  } catch (error) {
    return refused(error, values, "No tag changed.");
  }
  revalidatePath("/contacts");
  return { ok: result.matched > 0, message: addedMessage(result) };
}

/** Removes the tag with the key in `key` from the selected contacts or from all matching. */
export async function removeTagAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = { key: formText(formData, "key") };
  let result: TagRemoved;
  try {
    result = await removeTagFromContacts(user.id, readTagTarget(formData), values.key);
  } catch (error) {
    return refused(error, values, "No tag changed.");
  }
  revalidatePath("/contacts");
  return { ok: true, message: removedMessage(result) };
}
