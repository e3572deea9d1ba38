"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/platform/action-state";
import { requestedPage, requireUser, signIn } from "@/lib/connection/auth";
import { getCurrentConnection } from "@/lib/connection/status";
import { DISCONNECT_MESSAGES } from "@/lib/connection/copy";
import { disconnectGmail } from "@/lib/connection/revocation";
import { replyDetectionAuthorization } from "@/lib/outreach/reply-detection";

/**
 * Runs Google's consent flow again for the signed-in user's own Google account, then comes back to the
 * page it was started from (the banner is on every page; the layout there says the connection is back),
 * or to settings, which says how the reconnect went.
 */
export async function reconnectGmailAction(): Promise<void> {
  const from = await requestedPage();
  await reconnectThenGoTo(new URL(from, "http://x").pathname === "/settings" ? "/settings?notice=reconnected" : from);
}

/** The same from compose, coming back to the draft (kept in the browser) rather than to settings. */
export async function reconnectGmailFromComposeAction(): Promise<void> {
  await reconnectThenGoTo("/compose?notice=reconnected");
}

async function reconnectThenGoTo(redirectTo: string) {
  const user = await requireUser();
  const hint = (await getCurrentConnection(user.id))?.googleEmail ?? user.email;
  // With reply detection turned on, the new grant keeps gmail.metadata too.
  const scopes = await replyDetectionAuthorization({ userId: user.id });
  await signIn("google", { redirectTo }, { ...scopes, ...(hint ? { login_hint: hint } : {}) });
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
