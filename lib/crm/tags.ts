import { z } from "zod";
import { isRecordId, isUniqueViolation, type Db } from "../platform/db";
import { appDeps, type AppDeps } from "../platform/deps";
import { UserError } from "../platform/errors";
import { TAG_LIMITS, type TagLabel } from "./contact-fields";
import { contactFilterWhere, type ContactFilter } from "./contacts";
import { formText } from "../platform/action-state";

/**
 * Tags: the labels that make lists of contacts. A tag's key is its label lower-cased, so "VIP" and
 * "vip" are one tag; each contact keeps the label as it was first typed for it. Every query is scoped
 * by the owner's id, and another user's contact is never tagged.
 */

export type TagCount = TagLabel & { count: number };

/** The contacts a bulk change is for: ids picked by hand (another user's are ignored), or every one matching a filter. */
export type TagTarget = { contactIds: readonly string[] } | { filter: ContactFilter };

/** At most this many contacts are tagged in one go (the form offers "all N matching"). */
export const MAX_TAGGED_AT_ONCE = 10_000;

// Line breaks, every other control character, and Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Half of a surrogate pair is no character, and the database layer throws on it.
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const SEPARATORS = /[,;]/;
// Rows a statement reads or writes at a time: far below SQLite's and PostgreSQL's limits on parameters.
const CHUNK = 500;

export const tagKey = (label: string): string => label.toLowerCase();

/** Why a tag (already trimmed, not empty) cannot be saved, naming the tag when it is safe to show; else undefined. */
function tagProblem(label: string): string | undefined {
  if (CONTROL.test(label)) return "Tags cannot contain line breaks or control characters; keep each tag on one line.";
  if (UNPAIRED_SURROGATE.test(label)) return "Tags contain a broken character (half of an emoji); retype the tag.";
  if (label.length > TAG_LIMITS.length) {
    const start = Array.from(label).slice(0, 20).join("");
    return `Tag “${start}…” is too long: keep each tag to ${TAG_LIMITS.length} characters or fewer.`;
  }
  if (SEPARATORS.test(label))
    return "A tag cannot contain a comma or a semicolon (they separate tags): add one tag at a time.";
  return undefined;
}

/** Labels as typed → tags, one per key (the first label kept); or the first rule they break. */
function collectTags(labels: readonly string[]): { tags: TagLabel[] } | { error: string } {
  const tags = new Map<string, TagLabel>();
  for (const typed of labels) {
    const label = typed.trim();
    if (label === "") continue;
    const problem = tagProblem(label);
    if (problem) return { error: problem };
    const key = tagKey(label);
    if (!tags.has(key)) tags.set(key, { key, label });
  }
  if (tags.size > TAG_LIMITS.perContact)
    return {
      error: `Tags: a contact has at most ${TAG_LIMITS.perContact}, and this lists ${tags.size}; remove ${tags.size - TAG_LIMITS.perContact}.`,
    };
  return { tags: [...tags.values()] };
}

/**
 * The tags in a text like "vip, Customer; 2025 lead": separated by commas or semicolons, each trimmed,
 * empty ones skipped, one per key. Or why the text cannot be saved as a contact's tags.
 */
export function parseTagList(text: string): { tags: TagLabel[] } | { error: string } {
  // Twenty tags of forty characters with their separators fit; anything longer is not a tag list.
  if (text.length > TAG_LIMITS.perContact * (TAG_LIMITS.length + 2) * 2)
    return {
      error: `Tags are too long: a contact has at most ${TAG_LIMITS.perContact} tags of up to ${TAG_LIMITS.length} characters.`,
    };
  return collectTags(text.split(SEPARATORS));
}

/** The contact form's and a CSV cell's tags: one text, read by parseTagList. */
export const tagListSchema = z
  .string()
  .transform((text, ctx) => {
    const parsed = parseTagList(text);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed.tags;
  })
  .default([]);

/** One tag to add to many contacts at once. */
export const tagLabelSchema = z
  .string({ error: "Tag is required: type the tag to add, like vip." })
  .trim()
  .superRefine((label, ctx) => {
    const message = label === "" ? "Tag is required: type the tag to add, like vip." : tagProblem(label);
    if (message) ctx.addIssue({ code: "custom", message });
  });

/** A tag's key, as a list of tags (a select) sends it. */
export const tagKeySchema = z
  .string({ error: "Choose the tag to remove." })
  .trim()
  .toLowerCase()
  .refine((key) => key !== "" && key.length <= 100 && !CONTROL.test(key) && !UNPAIRED_SURROGATE.test(key), {
    message: "Choose the tag to remove from the list.",
  });

/**
 * Which contacts a form's bulk change is for, in the fields "Email selected" reads too: `scope`
 * "matching" with `tag` and `q`, or else the repeated `contactId` fields.
 */
export function readTagTarget(form: FormData): TagTarget {
  const text = (name: string) => formText(form, name);
  if (text("scope") === "matching") return { filter: { query: text("q"), tag: text("tag") } };
  return { contactIds: form.getAll("contactId").filter((value): value is string => typeof value === "string") };
}

type TagStore = Pick<Db, "contact" | "contactTag">;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

function tooMany(count: number): UserError {
  return new UserError(
    `That is ${count.toLocaleString("en")} contacts; change tags on at most ${MAX_TAGGED_AT_ONCE.toLocaleString("en")} at a time: narrow the list with a search or a tag first.`,
  );
}

/** The ids of the user's own contacts among the target: another user's ids, and ids that name nothing, drop out. */
async function ownedContactIds(db: TagStore, userId: string, target: TagTarget): Promise<string[]> {
  if ("filter" in target) {
    const where = contactFilterWhere(userId, target.filter);
    const found = await db.contact.findMany({
      where,
      select: { id: true },
      orderBy: { id: "asc" },
      take: MAX_TAGGED_AT_ONCE + 1,
    });
    if (found.length > MAX_TAGGED_AT_ONCE) throw tooMany(await db.contact.count({ where }));
    return found.map(({ id }) => id);
  }
  const ids = [...new Set(target.contactIds.filter((id) => typeof id === "string" && isRecordId(id)))];
  if (ids.length > MAX_TAGGED_AT_ONCE) throw tooMany(ids.length);
  const owned: string[] = [];
  for (const chunk of chunks(ids)) {
    const found = await db.contact.findMany({ where: { userId, id: { in: chunk } }, select: { id: true } });
    owned.push(...found.map(({ id }) => id));
  }
  return owned;
}

/** Runs a write again when another request wrote the same tag in between (a unique key then refuses it). */
async function retryingRaces<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
}

const TRANSACTION = { maxWait: 10_000, timeout: 60_000 };

/**
 * Replaces the tags of one of the user's contacts. False when the contact is not the user's (nothing is
 * changed then); UserError (field "tags") when the labels break a rule.
 */
export async function setContactTags(
  userId: string,
  contactId: string,
  labels: readonly string[],
  deps: AppDeps = appDeps(),
): Promise<boolean> {
  const parsed = collectTags(labels);
  if ("error" in parsed) throw new UserError(parsed.error, "tags");
  if (!isRecordId(contactId)) return false;
  return retryingRaces(() =>
    deps.db.$transaction(async (tx) => {
      if (!(await tx.contact.findFirst({ where: { id: contactId, userId }, select: { id: true } }))) return false;
      await tx.contactTag.deleteMany({ where: { contactId, userId } });
      await tx.contactTag.createMany({
        data: parsed.tags.map(({ key, label }) => ({ contactId, userId, key, label })),
      });
      return true;
    }),
  );
}

export type TagAdded = TagLabel & {
  /** The user's contacts the target named. */
  matched: number;
  /** Those that got the tag now. */
  added: number;
  /** Those that had it already. */
  already: number;
  /** Those left out because they have as many tags as a contact may. */
  full: number;
};

/**
 * Adds one tag to many of the user's contacts (up to MAX_TAGGED_AT_ONCE), in one transaction: contacts
 * that have it keep theirs, and a contact with the most tags allowed is left out. UserError (field
 * "label") when the label breaks a rule.
 */
export async function addTagToContacts(
  userId: string,
  target: TagTarget,
  label: string,
  deps: AppDeps = appDeps(),
): Promise<TagAdded> {
  const parsed = tagLabelSchema.safeParse(label);
  if (!parsed.success) throw new UserError(parsed.error.issues[0]!.message, "label");
  const tag = { key: tagKey(parsed.data), label: parsed.data };
  return retryingRaces(() =>
    deps.db.$transaction(async (tx) => {
      const ids = await ownedContactIds(tx, userId, target);
      let added = 0;
      let already = 0;
      let full = 0;
      for (const chunk of chunks(ids)) {
        const rows = await tx.contactTag.findMany({
          where: { userId, contactId: { in: chunk } },
          select: { contactId: true, key: true },
        });
        const tagCount = new Map<string, number>();
        const tagged = new Set<string>();
        for (const row of rows) {
          tagCount.set(row.contactId, (tagCount.get(row.contactId) ?? 0) + 1);
          if (row.key === tag.key) tagged.add(row.contactId);
        }
        const fresh = chunk.filter((id) => !tagged.has(id) && (tagCount.get(id) ?? 0) < TAG_LIMITS.perContact);
        if (fresh.length > 0)
          await tx.contactTag.createMany({ data: fresh.map((contactId) => ({ contactId, userId, ...tag })) });
        added += fresh.length;
        already += tagged.size;
        full += chunk.length - fresh.length - tagged.size;
      }
      return { ...tag, matched: ids.length, added, already, full };
    }, TRANSACTION),
  );
}

export type TagRemoved = TagLabel & { removed: number };

/** Removes one tag (by its key) from many of the user's contacts, in one transaction. */
export async function removeTagFromContacts(
  userId: string,
  target: TagTarget,
  key: string,
  deps: AppDeps = appDeps(),
): Promise<TagRemoved> {
  const parsed = tagKeySchema.safeParse(key);
  if (!parsed.success) throw new UserError(parsed.error.issues[0]!.message, "key");
  const tagKeyValue = parsed.data;
  return deps.db.$transaction(async (tx) => {
    const known = await tx.contactTag.findFirst({ where: { userId, key: tagKeyValue }, select: { label: true } });
    const label = known?.label ?? tagKeyValue;
    if ("filter" in target) {
      const { count } = await tx.contactTag.deleteMany({
        where: { userId, key: tagKeyValue, contact: contactFilterWhere(userId, target.filter) },
      });
      return { key: tagKeyValue, label, removed: count };
    }
    const ids = [...new Set(target.contactIds.filter((id) => typeof id === "string" && isRecordId(id)))];
    if (ids.length > MAX_TAGGED_AT_ONCE) throw tooMany(ids.length);
    let removed = 0;
    for (const chunk of chunks(ids)) {
      const { count } = await tx.contactTag.deleteMany({
        where: { userId, key: tagKeyValue, contactId: { in: chunk } },
      });
      removed += count;
    }
    return { key: tagKeyValue, label, removed };
  }, TRANSACTION);
}

/**
 * The user's tags with how many contacts have each, by key: for the list's filter and the bulk forms.
 * A tag typed differently on different contacts ("VIP", "vip") shows its most used label.
 */
export async function listTags(userId: string, deps: AppDeps = appDeps()): Promise<TagCount[]> {
  const groups = await deps.db.contactTag.groupBy({
    by: ["key", "label"],
    where: { userId },
    _count: { _all: true },
    orderBy: [{ key: "asc" }, { label: "asc" }],
  });
  const tags = new Map<string, TagCount & { top: number }>();
  for (const { key, label, _count } of groups) {
    const tag = tags.get(key);
    if (!tag) tags.set(key, { key, label, count: _count._all, top: _count._all });
    else {
      tag.count += _count._all;
      if (_count._all > tag.top) Object.assign(tag, { label, top: _count._all });
    }
  }
  return [...tags.values()].map(({ key, label, count }) => ({ key, label, count }));
}
