import { firstNameOf } from "../crm/contact-fields";
import { isRecordId } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { UserError } from "../platform/errors";
import { TEMPLATE_LIMITS, type TemplateValues } from "./template-rules";
import { mergeValuesOf, type MergeValues } from "./templates";

/**
 * The user's templates. Every query is scoped by the owner's id: another user's template, like one
 * that never existed, is "not found" and nothing is changed.
 */

/** Enough for any one person's outreach, and it keeps the list one page and compose's picker small. */
export const MAX_TEMPLATES = 500;

export type TemplateSummary = { id: string; name: string; subject: string; updatedAt: Date };
export type TemplateText = { id: string; name: string; subject: string; body: string };
export type TemplateDetails = TemplateText & { createdAt: Date; updatedAt: Date };

const summarySelect = { id: true, name: true, subject: true, updatedAt: true } as const;
const textSelect = { id: true, name: true, subject: true, body: true } as const;
const detailsSelect = { ...textSelect, createdAt: true, updatedAt: true } as const;
const newestFirst = [{ updatedAt: "desc" }, { id: "asc" }] as const;

/** The user's templates, the most recently changed first. */
export async function listTemplates(userId: string, deps: AppDeps = appDeps()): Promise<TemplateSummary[]> {
  return deps.db.template.findMany({ where: { userId }, orderBy: [...newestFirst], select: summarySelect });
}

/** The user's templates with their text, for compose's picker. */
export async function listTemplateTexts(userId: string, deps: AppDeps = appDeps()): Promise<TemplateText[]> {
  return deps.db.template.findMany({ where: { userId }, orderBy: [...newestFirst], select: textSelect });
}

/** The contact a message is being written to, with the values its merge fields take. */
export type MergeContact = { address: string; label: string; values: MergeValues };

/**
 * What compose's "Insert template" needs: the user's templates with their text, the values of the
 * contact the page was opened for (`to`, when it is one of the user's contacts) and the sender's own.
 */
export async function templatesForCompose(
  userId: string,
  { to, senderName }: { to?: string; senderName?: string | null },
  deps: AppDeps = appDeps(),
): Promise<{ templates: TemplateText[]; contact: MergeContact | null; sender: MergeValues }> {
  const sender: MergeValues = { my_first_name: firstNameOf({ name: senderName ?? "" }) };
  const [templates, found] = await Promise.all([
    listTemplateTexts(userId, deps),
    to
      ? deps.db.contact.findFirst({
          where: { userId, email: to.trim().toLowerCase() },
          select: { name: true, firstName: true, email: true, company: true, title: true },
        })
      : null,
  ]);
  const contact = found
    ? { address: found.email, label: found.name || found.email, values: mergeValuesOf(found, { name: senderName }) }
    : null;
  return { templates, contact, sender };
}

/** One of the user's templates; another user's id, or one that never existed, is null. */
export async function getTemplate(
  userId: string,
  templateId: string,
  deps: AppDeps = appDeps(),
): Promise<TemplateDetails | null> {
  if (!isRecordId(templateId)) return null;
  return deps.db.template.findFirst({ where: { id: templateId, userId }, select: detailsSelect });
}

async function ensureRoom(userId: string, deps: AppDeps): Promise<void> {
  if ((await deps.db.template.count({ where: { userId } })) >= MAX_TEMPLATES)
    throw new UserError(
      `You have ${MAX_TEMPLATES} templates, the most Evergreen keeps: delete one you no longer use first.`,
    );
}

export async function createTemplate(
  userId: string,
  values: TemplateValues,
  deps: AppDeps = appDeps(),
): Promise<{ id: string }> {
  await ensureRoom(userId, deps);
  return deps.db.template.create({ data: { userId, ...values }, select: { id: true } });
}

/** False when the template is not the user's (or no longer exists): nothing is changed then. */
export async function updateTemplate(
  userId: string,
  templateId: string,
  values: TemplateValues,
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  if (!isRecordId(templateId)) return false;
  const { count } = await deps.db.template.updateMany({ where: { id: templateId, userId }, data: values });
  return count === 1;
}

/** "Copy of X", kept within the name's limit. */
export function copyName(name: string): string {
  const chars = Array.from(`Copy of ${name}`);
  return chars.length <= TEMPLATE_LIMITS.name
    ? chars.join("")
    : `${chars.slice(0, TEMPLATE_LIMITS.name - 1).join("")}…`;
}

/** A copy of one of the user's templates named "Copy of X"; null when it is not the user's. */
export async function duplicateTemplate(
  userId: string,
  templateId: string,
  deps: AppDeps = appDeps(),
): Promise<{ id: string; name: string } | null> {
  const original = await getTemplate(userId, templateId, deps);
  if (!original) return null;
  await ensureRoom(userId, deps);
  const name = copyName(original.name);
  return deps.db.template.create({
    data: { userId, name, subject: original.subject, body: original.body },
    select: { id: true, name: true },
  });
}

/** Deletes one of the user's templates; merges made from it keep their own copy of its text. */
export async function deleteTemplate(userId: string, templateId: string, deps: AppDeps = appDeps()): Promise<boolean> {
  if (!isRecordId(templateId)) return false;
  const { count } = await deps.db.template.deleteMany({ where: { id: templateId, userId } });
  return count === 1;
}
