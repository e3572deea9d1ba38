"use client";

import { useSyncExternalStore } from "react";

const MINUTE = 60_000;

function subscribeToMinutes(onChange: () => void) {
  const timer = setInterval(onChange, MINUTE / 4);
  return () => clearInterval(timer);
}

/**
 * The time now in the contact's zone, like "Tue 14:05", kept current on a page left open. Rendered in
 * the browser only: the server's clock and locale are not the reader's.
 */
export function ContactLocalTime({ timeZone }: { timeZone: string }) {
  const minute = useSyncExternalStore(
    subscribeToMinutes,
    () => Math.floor(Date.now() / MINUTE),
    () => null,
  );
  if (minute === null) return null;
  let text: string;
  try {
    text = new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: "short",
      hour: "numeric",
      minute: "2-digit",
    }).format(minute * MINUTE);
  } catch {
    // A zone this browser's own list lacks: the name above still says where they are.
    return null;
  }
  return <time dateTime={new Date(minute * MINUTE).toISOString()}>{text}</time>;
}
