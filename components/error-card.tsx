import type { ReactNode } from "react";

/** What an unexpected failure tells the user: no details (they are in the server log), only that nothing was lost. */
export const UNEXPECTED_ERROR_MESSAGE =
  "Evergreen hit an unexpected problem and logged it. Nothing you saved was lost. Try again, and if it keeps happening, tell your administrator.";

/** The alert an error boundary shows: what happened in plain words, then the ways on (`children`). */
export function ErrorCard({
  title = "Something went wrong",
  message = UNEXPECTED_ERROR_MESSAGE,
  children,
}: {
  title?: string;
  message?: string;
  children: ReactNode;
}) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6">
      <h1 className="text-lg font-semibold text-red-900">{title}</h1>
      <p className="mt-2 text-sm text-red-800">{message}</p>
      <div className="mt-4 flex flex-wrap items-center gap-4">{children}</div>
    </div>
  );
}

export const ERROR_CARD_BUTTON_CLASS =
  "rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800";
