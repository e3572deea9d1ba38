"use client";

import Link from "next/link";
import { ERROR_CARD_BUTTON_CLASS, ErrorCard } from "@/components/error-card";

/**
 * A failure in a page outside the signed-in area (home, sign-in, sign-out) lands here, inside the root
 * layout and its styles. Without it Next.js would show its built-in error page, whose inline styles the
 * Content-Security-Policy refuses.
 */
export default function RootError({ reset }: { reset: () => void }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center p-8">
      <ErrorCard>
        <button type="button" onClick={reset} className={ERROR_CARD_BUTTON_CLASS}>
          Try again
        </button>
        <Link href="/" className="text-sm font-medium text-red-900 underline">
          Back to Evergreen
        </Link>
      </ErrorCard>
    </main>
  );
}
