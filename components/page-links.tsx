import Link from "next/link";

/** "Previous · Page 2 of 5 · Next" under a long list; nothing when it fits one page. */
export function PageLinks({
  label,
  page,
  pageCount,
  href,
}: {
  label: string;
  page: number;
  pageCount: number;
  href: (page: number) => string;
}) {
  if (pageCount <= 1) return null;
  return (
    <nav aria-label={label} className="flex gap-3 text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className="underline">
          Previous
        </Link>
      ) : null}
      <span>
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link href={href(page + 1)} className="underline">
          Next
        </Link>
      ) : null}
    </nav>
  );
}
