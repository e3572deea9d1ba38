import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { CONTACTS_PAGE_SIZE, listContacts, MAX_SEARCH_LENGTH, parsePage, searchWords } from "@/lib/crm/contacts";

export const metadata: Metadata = { title: "Contacts" };

const NOTICES: Record<string, string> = { deleted: "Contact deleted." };

const buttonClass = "rounded-md px-4 py-2 text-sm font-medium";
const primary = `${buttonClass} bg-brand-700 text-white hover:bg-brand-800`;
const secondary = `${buttonClass} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`;

function pageHref(query: string, page: number) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/contacts?${search}` : "/contacts";
}

export default async function ContactsPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string | string[]; page?: string | string[]; notice?: string | string[] }>;
}) {
  const user = await requireUser();
  const params = await searchParams;
  const query = typeof params.q === "string" ? params.q : "";
  // Own keys only: ?notice=__proto__ would otherwise render Object.prototype (a 500).
  const notice =
    typeof params.notice === "string" && Object.hasOwn(NOTICES, params.notice) ? NOTICES[params.notice] : undefined;
  const {
    contacts,
    total,
    page,
    pageCount,
    query: shownQuery,
  } = await listContacts(user.id, {
    query,
    page: parsePage(params.page),
  });
  const first = (page - 1) * CONTACTS_PAGE_SIZE + 1;
  // Search matches words; these characters only separate them (lib/crm/contacts.ts says why), which the
  // count must not hide: "128 contacts match “%”" would claim a match that was never looked for.
  const words = searchWords(shownQuery);
  const ignoredNote = /[%_\\]/.test(shownQuery)
    ? ` % _ and \\ are not searched for: ${words.length > 0 ? `this looked for ${words.map((word) => `“${word}”`).join(" and ")}` : "showing all contacts"}.`
    : "";

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

      <form role="search" action="/contacts" className="flex flex-wrap items-end gap-2">
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
            className="mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none"
          />
          <p id="contacts-search-hint" className="mt-1 text-xs text-slate-500">
            Name, email or company. Case does not matter.
          </p>
        </div>
        <button type="submit" className={`${secondary} mb-5`}>
          Search
        </button>
      </form>

      {total === 0 && !shownQuery ? (
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
            No contacts match “{shownQuery}”.{ignoredNote}
          </p>
          <p className="mt-2">
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
            {shownQuery && words.length > 0
              ? `${total.toLocaleString("en")} ${total === 1 ? "contact matches" : "contacts match"} “${shownQuery}”.`
              : `${total.toLocaleString("en")} ${total === 1 ? "contact" : "contacts"}.`}
            {ignoredNote}
            {pageCount > 1
              ? ` Showing ${first.toLocaleString("en")}–${(first + contacts.length - 1).toLocaleString("en")}.`
              : ""}
          </p>
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Contacts{pageCount > 1 ? `, page ${page} of ${pageCount}` : ""}</caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    Email
                  </th>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    Company
                  </th>
                  <th scope="col" className="px-4 py-3 font-semibold">
                    Last contacted
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {contacts.map((contact) => (
                  <tr key={contact.id}>
                    <th scope="row" className="px-4 py-3 font-medium">
                      <Link href={`/contacts/${contact.id}`} className="break-words text-brand-800 underline">
                        {contact.name || contact.email}
                      </Link>
                      {contact.title ? (
                        <span className="block text-xs font-normal text-slate-500">{contact.title}</span>
                      ) : null}
                    </th>
                    <td className="px-4 py-3 break-all text-slate-700">{contact.email}</td>
                    <td className="px-4 py-3 break-words text-slate-700">{contact.company}</td>
                    <td className="px-4 py-3 text-slate-700">
                      {contact.lastContactedAt ? <LocalTime iso={contact.lastContactedAt.toISOString()} /> : "Never"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pageCount > 1 ? (
            <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
              {page > 1 ? (
                <Link href={pageHref(shownQuery, page - 1)} rel="prev" className={secondary}>
                  Previous page
                </Link>
              ) : (
                <span />
              )}
              <span className="text-slate-600">
                Page {page} of {pageCount}
              </span>
              {page < pageCount ? (
                <Link href={pageHref(shownQuery, page + 1)} rel="next" className={secondary}>
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
