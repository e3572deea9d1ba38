"use client";

import "./globals.css";
import { ERROR_CARD_BUTTON_CLASS, ErrorCard } from "@/components/error-card";

/**
 * The last resort, for when the root layout itself fails: it replaces the whole document, so it brings
 * its own <html>, title and styles. Reloading is the way on, as the layout has to run again.
 */
export default function GlobalError() {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <title>Something went wrong · Evergreen</title>
        {/* The layout, which links the tab icon, did not render. */}
        <link rel="icon" href="/icon.svg" type="image/svg+xml" />
        <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center p-8">
          <ErrorCard>
            <button type="button" onClick={() => window.location.reload()} className={ERROR_CARD_BUTTON_CLASS}>
              Reload
            </button>
          </ErrorCard>
        </main>
      </body>
    </html>
  );
}
