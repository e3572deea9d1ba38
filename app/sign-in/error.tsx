"use client";

import { isRateLimitMessage } from "@/lib/http/rate-limit-copy";

/** The sign-in page when its action failed: a 429 says when to try again; anything else says nothing. */
export default function SignInError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const limited = isRateLimitMessage(error.message);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold">{limited ? "Slow down" : "Sign-in failed"}</h1>
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {limited ? error.message : "Evergreen could not start signing you in. Try again in a moment."}
        </p>
        <button
          type="button"
          onClick={reset}
          className="w-full rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
        >
          Try again
        </button>
      </div>
    </main>
  );
}
