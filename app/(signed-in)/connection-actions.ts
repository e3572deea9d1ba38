"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requireUser, signIn, signOut } from "@/lib/auth";
import { appConnectionDeps, getCurrentConnection } from "@/lib/connection";
import { revokeGoogleToken } from "@/lib/google/oauth";
import { disconnectGmail, type DisconnectOutcome } from "@/lib/revocation";

/** Runs Google's consent flow again for the signed-in user's own Google account. */
export async function reconnectGmailAction(): Promise<void> {
  const user = await requireUser();
  const hint = (await getCurrentConnection(user.id))?.googleEmail ?? user.email;
  await signIn("google", { redirectTo: "/settings?notice=reconnected" }, hint ? { login_hint: hint } : undefined);
}

const REMOVE_AT_GOOGLE = "To be sure, remove Evergreen at Google Account → Security → Third-party access.";

const DISCONNECT_MESSAGES: Record<DisconnectOutcome, string> = {
  revoked: "Gmail disconnected. Google confirmed Evergreen's access is revoked.",
  "nothing-to-revoke": "Gmail disconnected. Evergreen held no access at Google to revoke.",
  "revoke-pending":
    "Gmail disconnected here, but Google could not be reached to revoke access. Evergreen will keep retrying; you can also remove it at Google Account → Security → Third-party access.",
  "revoke-refused": `Gmail disconnected here, but Google refused to revoke Evergreen's access. ${REMOVE_AT_GOOGLE}`,
  "credentials-unreadable": `Gmail disconnected here. Evergreen could not revoke its access at Google because its stored credentials were unreadable. ${REMOVE_AT_GOOGLE}`,
  "already-disconnected": "Gmail was already disconnected.",
};

export async function disconnectGmailAction(): Promise<ActionState> {
  const user = await requireUser();
  const outcome = await disconnectGmail(appConnectionDeps(), user.id, (token) => revokeGoogleToken(token));
  revalidatePath("/", "layout");
  return { ok: outcome !== "revoke-refused" && outcome !== "credentials-unreadable", message: DISCONNECT_MESSAGES[outcome] };
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in?signed-out=1" });
}
