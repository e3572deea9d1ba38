"use client";

import { isRateLimitMessage } from "@/lib/rate-limit-copy";

export default function SignedInError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // A 429 (e.g. too many reconnect attempts) says what happened and when to retry; anything else says nothing.
  const limited = isRateLimitMessage(error.message);
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6">
      <h1 className="text-lg font-semibold text-red-900">{limited ? "Slow down" : "Something went wrong"}</h1>
      <p className="mt-2 text-sm text-red-800">
        {limited
          ? error.message
          : "Evergreen hit an unexpected problem and logged it. Nothing you saved was lost. Try again, and if it keeps happening, tell your administrator."}
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800"
      >
        Try again
      </button>
    </div>
  );
}
