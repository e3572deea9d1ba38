"use client";

import { useCallback, useSyncExternalStore } from "react";

/** The current time in milliseconds, re-read every `everyMs` (0 while rendering on the server). */
export function useNow(everyMs: number): number {
  const subscribe = useCallback(
    (notify: () => void) => {
      const timer = setInterval(notify, everyMs);
      return () => clearInterval(timer);
    },
    [everyMs],
  );
  // Rounded, so React sees the same value until the next tick.
  return useSyncExternalStore(
    subscribe,
    () => Math.floor(Date.now() / everyMs) * everyMs,
    () => 0,
  );
}
