"use client";

import { ERROR_CARD_BUTTON_CLASS, ErrorCard } from "@/components/error-card";
import { isRateLimitMessage } from "@/lib/http/rate-limit-copy";

export default function SignedInError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // A 429 (e.g. too many reconnect attempts) says what happened and when to retry; anything else says nothing.
  const limited = isRateLimitMessage(error.message);
  return (
    <ErrorCard {...(limited ? { title: "Slow down", message: error.message } : {})}>
      <button type="button" onClick={reset} className={ERROR_CARD_BUTTON_CLASS}>
        Try again
      </button>
    </ErrorCard>
  );
}
