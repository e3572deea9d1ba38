"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { type ActionState, formText, NOT_UNDERSTOOD, refused } from "@/lib/platform/action-state";
import { requireUser } from "@/lib/connection/auth";
import { parseSequence, readSequenceForm } from "@/lib/outreach/sequence-rules";
import {
  createSequence,
  decideLateStep,
  enrolContacts,
  markContactReplied,
  markEnrolmentReplied,
  moveToCurrentVersion,
  readEnrolTarget,
  removeEnrolment,
  updateSequence,
  type EnrolOutcome,
} from "@/lib/outreach/sequences";
import { enrolOutcomeText } from "@/lib/outreach/sequence-copy";
import { echoSequenceValues } from "./form-values";

// `formData` is typed unknown because these are public endpoints: a hand-made request can pass anything.
// Who is asking comes first: nothing is read or checked for someone signed out.

const sequencePath = (id: string) => `/sequences/${encodeURIComponent(id)}`;

/** Every page that shows enrolments: the sequences' and the contacts'. */
function revalidateEnrolments() {
  revalidatePath("/sequences", "layout");
  revalidatePath("/contacts", "layout");
  revalidatePath("/dashboard");
}

/** "Save sequence" on /sequences/new: the checked form becomes version 1, and its page opens. */
export async function createSequenceAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = readSequenceForm(formData);
  let id: string;
  try {
    ({ id } = await createSequence(user.id, parseSequence(values)));
  } catch (error) {
    return refused(error, echoSequenceValues(values));
  }
  revalidatePath("/sequences");
  redirect(`${sequencePath(id)}?notice=created`);
}

/** Saves an edit (`sequenceId`): a new version when the steps changed, which enrolled contacts do not follow. */
export async function updateSequenceAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const sequenceId = formText(formData, "sequenceId");
  const values = readSequenceForm(formData);
  let newVersion: boolean;
  try {
    ({ newVersion } = await updateSequence(user.id, sequenceId, parseSequence(values)));
  } catch (error) {
    return refused(error, echoSequenceValues(values));
  }
  revalidatePath("/sequences", "layout");
  redirect(`${sequencePath(sequenceId)}?notice=${newVersion ? "version" : "saved"}`);
}

/**
 * Enrols contacts in `sequenceId`: the contacts list's selection (`scope`, `contactId` or `q` and
 * `tag`), a contact's page (`contactId`) or the sequence page's tag (`tag`). The answer says how many
 * joined, were already in, or were left out because they unsubscribed.
 */
export async function enrolInSequenceAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const values = { sequenceId: formText(formData, "sequenceId"), tag: formText(formData, "tag") };
  let outcome: EnrolOutcome;
  try {
    outcome = await enrolContacts(user.id, values.sequenceId, readEnrolTarget(formData));
  } catch (error) {
    // Only what was typed goes back; the ids stay in the page's own hidden fields.
    return refused(error, { tag: values.tag }, "No contact was enrolled.");
  }
  revalidateEnrolments();
  return { ok: outcome.enrolled > 0, message: enrolOutcomeText(outcome) };
}

const CHANGES = {
  replied: (userId: string, id: string) => markEnrolmentReplied(userId, id),
  remove: (userId: string, id: string) => removeEnrolment(userId, id),
  send: (userId: string, id: string) => decideLateStep(userId, id, "send"),
  skip: (userId: string, id: string) => decideLateStep(userId, id, "skip"),
} as const;
const CHANGED: Record<keyof typeof CHANGES, string> = {
  replied: "Marked as replied: nothing more is sent to them in this sequence.",
  remove: "Removed: nothing more is sent to them in this sequence.",
  send: "The late step goes out now, inside the send window.",
  skip: "Skipped: the next step waits its days from now.",
};

/** One enrolment's row: `command` replied, remove, send (a late step now) or skip; each only from the state shown. */
export async function changeEnrolmentAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const command = formText(formData, "command");
  if (!Object.hasOwn(CHANGES, command)) return NOT_UNDERSTOOD;
  const done = await CHANGES[command as keyof typeof CHANGES](user.id, formText(formData, "enrolmentId"));
  if (!done) return { ok: false, message: "This enrolment changed meanwhile; the page now shows where it stands." };
  revalidateEnrolments();
  return { ok: true, message: CHANGED[command as keyof typeof CHANGES] };
}

/** Moves one enrolment (`enrolmentId`) or every active one of `sequenceId` on to its newest version. */
export async function moveToCurrentVersionAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const enrolmentId = formText(formData, "enrolmentId");
  let moved: number;
  try {
    moved = await moveToCurrentVersion(user.id, formText(formData, "sequenceId"), enrolmentId || undefined);
  } catch (error) {
    return refused(error);
  }
  if (moved === 0) return { ok: false, message: "Nobody was moved: they are on the newest version or have ended." };
  revalidateEnrolments();
  return {
    ok: true,
    message: `Moved ${moved.toLocaleString("en")} ${moved === 1 ? "contact" : "contacts"} to the newest version, each keeping its place.`,
  };
}

/** "Mark as replied" on a contact's page (`contactId`): every sequence it is in stops. */
export async function markContactRepliedAction(_previous: ActionState, formData: unknown): Promise<ActionState> {
  const user = await requireUser();
  if (!(formData instanceof FormData)) return NOT_UNDERSTOOD;
  const stopped = await markContactReplied(user.id, formText(formData, "contactId"));
  if (stopped === 0)
    return { ok: false, message: "Nothing to mark: this contact is in no sequence, or every one has already ended." };
  revalidateEnrolments();
  return {
    ok: true,
    message: `Marked as replied in ${stopped === 1 ? "its sequence" : `${stopped} sequences`}: nothing more is sent to them.`,
  };
}
