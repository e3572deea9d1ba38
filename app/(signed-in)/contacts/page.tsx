import type { Metadata } from "next";
import Link from "next/link";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import {
  CONTACTS_PAGE_SIZE,
  listContacts,
  MAX_SEARCH_LENGTH,
  parsePage,
  searchWords,
  tagFilterKey,
} from "@/lib/crm/contacts";
import { listTags } from "@/lib/crm/tags";
import { sequenceChoices } from "@/lib/outreach/sequence-report";
import { emailSelectedAction } from "../merges/actions";
import { enrolInSequenceAction } from "../sequences/actions";
import { ContactSelection } from "./contact-selection";
import { addTagAction, removeTagAction } from "./tag-actions";

export const metadata: Metadata = { title: "Contacts" };

const NOTICES: Record<string, string> = { deleted: "Contact deleted." };

const buttonClass = "rounded-md px-4 py-2 text-sm font-medium";
const primary = `${buttonClass} bg-brand-700 text-white hover:bg-brand-800`;
const secondary = `${buttonClass} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`;
const fieldClass =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none";

/** The list's address: search, tag and page, each left out when it is the default. */
function listHref({ query = "", tag = "", page = 1 }: { query?: string; tag?: string; page?: number }) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  if (tag) params.set("tag", tag);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/contacts?${search}` : "/contacts";
}

export default async function ContactsPage({
  searchParams,
}: {
  searchParams: Promise<{
    q?: string | string[];
    tag?: string | string[];
    page?: string | string[];
    notice?: string | string[];
  }>;
}) {
  const user = await requireUser();
  const params = await searchParams;
  const query = typeof params.q === "string" ? params.q : "";
  // A tag no contact can have (control characters, half of an emoji) is no filter at all here.
  const tagParam = (typeof params.tag === "string" ? tagFilterKey(params.tag) : "") ?? "";
  // Own keys only: ?notice=__proto__ would otherwise render Object.prototype (a 500).
  const notice =
    typeof params.notice === "string" && Object.hasOwn(NOTICES, params.notice) ? NOTICES[params.notice] : undefined;
  const [{ contacts, total, page, pageCount, query: shownQuery, tag }, tags, sequences] = await Promise.all([
    listContacts(user.id, { query, tag: tagParam, page: parsePage(params.page) }),
    listTags(user.id),
    sequenceChoices(user.id),
  ]);
  const first = (page - 1) * CONTACTS_PAGE_SIZE + 1;
  // Search matches words; these characters only separate them (lib/crm/contacts.ts says why), which the
  // count must not hide: "128 contacts match “%”" would claim a match that was never looked for.
  const words = searchWords(shownQuery);
  const searching = shownQuery !== "" && words.length > 0;
  const ignoredNote = /[%_\\]/.test(shownQuery)
    ? ` % _ and \\ are not searched for: ${words.length > 0 ? `this looked for ${words.map((word) => `“${word}”`).join(" and ")}` : "showing all contacts"}.`
    : "";
  const tagLabel = tags.find((known) => known.key === tag)?.label ?? tag;
  // A tag filtered on that no contact has any more still shows as chosen.
  const tagOptions =
    tag && !tags.some((known) => known.key === tag) ? [...tags, { key: tag, label: tag, count: 0 }] : tags;
  const tagged = tag ? ` tagged “${tagLabel}”` : "";
  const plural = (count: number) => `${count.toLocaleString("en")} ${count === 1 ? "contact" : "contacts"}`;
  const countText = searching
    ? `${plural(total)}${tagged} ${total === 1 ? "matches" : "match"} “${shownQuery}”.`
    : `${plural(total)}${tagged}.`;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Contacts</h1>
          <p className="mt-1 text-sm text-slate-600">The people you write to from Evergreen.</p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href="/contacts/import" className={secondary}>
            Import a CSV
          </Link>
          <Link href="/contacts/new" className={primary}>
            Add a contact
          </Link>
        </div>
      </div>
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}

      <form key={`${shownQuery}\n${tag}`} role="search" action="/contacts" className="flex flex-wrap items-end gap-2">
        <div className="min-w-64 flex-1">
          <label htmlFor="contacts-search" className="text-sm font-medium text-slate-700">
            Search contacts
          </label>
          <input
            id="contacts-search"
            name="q"
            type="search"
            defaultValue={shownQuery}
            maxLength={MAX_SEARCH_LENGTH}
            aria-describedby="contacts-search-hint"
            className={fieldClass}
          />
          <p id="contacts-search-hint" className="mt-1 text-xs text-slate-500">
            Name, email or company. Case does not matter.
          </p>
        </div>
        {tagOptions.length > 0 ? (
          <div className="w-56 max-w-full">
            <label htmlFor="contacts-tag" className="text-sm font-medium text-slate-700">
              Tag
            </label>
            <select id="contacts-tag" name="tag" defaultValue={tag} className={fieldClass}>
              <option value="">All contacts</option>
              {tagOptions.map((option) => (
                <option key={option.key} value={option.key}>
                  {option.label} ({option.count.toLocaleString("en")})
                </option>
              ))}
            </select>
            <p className="mt-1 text-xs text-slate-500">Combines with the search.</p>
          </div>
        ) : null}
        <button type="submit" className={`${secondary} mb-5`}>
          Search
        </button>
      </form>

      {total === 0 && !shownQuery && !tag ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
          <p className="font-medium text-slate-800">No contacts yet.</p>
          <p className="mt-1">Add the people you write to one by one, or bring them all from a spreadsheet.</p>
          <div className="mt-4 flex justify-center gap-3">
            <Link href="/contacts/new" className={primary}>
              Add a contact
            </Link>
            <Link href="/contacts/import" className={secondary}>
              Import a CSV
            </Link>
          </div>
        </div>
      ) : total === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
          <p role="status">
            {tag && shownQuery
              ? `No contacts tagged “${tagLabel}” match “${shownQuery}”.`
              : tag
                ? `No contacts tagged “${tagLabel}”.`
                : `No contacts match “${shownQuery}”.`}
            {ignoredNote}
          </p>
          <p className="mt-2">
            {tag && shownQuery ? (
              <>
                <Link href={listHref({ tag })} className="font-medium text-brand-700 underline">
                  Clear the search
                </Link>
                ,{" "}
                <Link href={listHref({ query: shownQuery })} className="font-medium text-brand-700 underline">
                  clear the tag filter
                </Link>
                ,{" "}
              </>
            ) : null}
            <Link href="/contacts" className="font-medium text-brand-700 underline">
              Show all contacts
            </Link>{" "}
            or{" "}
            <Link href="/contacts/new" className="font-medium text-brand-700 underline">
              add a contact
            </Link>
            .
          </p>
        </div>
      ) : (
        <>
          <p role="status" className="text-sm text-slate-600">
            {countText}
            {ignoredNote}
            {pageCount > 1
              ? ` Showing ${first.toLocaleString("en")}–${(first + contacts.length - 1).toLocaleString("en")}.`
              : ""}
          </p>
          <ContactSelection
            key={`${shownQuery}\n${tag}\n${page}`}
            contacts={contacts.map((contact) => ({
              ...contact,
              lastContactedAt: contact.lastContactedAt?.toISOString() ?? null,
            }))}
            total={total}
            caption={`Contacts${pageCount > 1 ? `, page ${page} of ${pageCount}` : ""}`}
            filter={{ query: shownQuery, tag }}
            offerMatching={searching || tag !== "" || pageCount > 1}
            tags={tags}
            sequences={sequences}
            enrolAction={enrolInSequenceAction}
            emailAction={emailSelectedAction}
            addTagAction={addTagAction}
            removeTagAction={removeTagAction}
          />
          {pageCount > 1 ? (
            <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
              {page > 1 ? (
                <Link href={listHref({ query: shownQuery, tag, page: page - 1 })} rel="prev" className={secondary}>
                  Previous page
                </Link>
              ) : (
                <span />
              )}
              <span className="text-slate-600">
                Page {page} of {pageCount}
              </span>
              {page < pageCount ? (
                <Link href={listHref({ query: shownQuery, tag, page: page + 1 })} rel="next" className={secondary}>
                  Next page
                </Link>
              ) : (
                <span />
              )}
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}
