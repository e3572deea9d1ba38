"use server";

import { signOut } from "@/lib/connection/auth";

/** Ends this browser's session only: Gmail stays connected and the outbox keeps sending. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in?signed-out=1" });
}
