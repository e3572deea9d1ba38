"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requireUser, signIn } from "@/lib/auth";
import { getCurrentConnection } from "@/lib/connection";
import { DISCONNECT_MESSAGES } from "@/lib/connection-copy";
import { disconnectGmail } from "@/lib/revocation";

/** Runs Google's consent flow again for the signed-in user's own Google account. */
export async function reconnectGmailAction(): Promise<void> {
  await reconnectThenGoTo("/settings?notice=reconnected");
}

/** The same from compose, coming back to the draft (kept in the browser) rather than to settings. */
export async function reconnectGmailFromComposeAction(): Promise<void> {
  await reconnectThenGoTo("/compose?notice=reconnected");
}

async function reconnectThenGoTo(redirectTo: string) {
  const user = await requireUser();
  const hint = (await getCurrentConnection(user.id))?.googleEmail ?? user.email;
  await signIn("google", { redirectTo }, hint ? { login_hint: hint } : undefined);
}

export async function disconnectGmailAction(): Promise<ActionState> {
  const user = await requireUser();
  const outcome = await disconnectGmail(user.id);
  revalidatePath("/", "layout");
  return {
    ok: outcome !== "revoke-refused" && outcome !== "credentials-unreadable",
    message: DISCONNECT_MESSAGES[outcome],
  };
}
