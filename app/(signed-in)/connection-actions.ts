"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requireUser, signIn, signOut } from "@/lib/auth";
import { appConnectionDeps, disconnectGmail } from "@/lib/connection";
import { revokeGoogleToken } from "@/lib/google/oauth";

/** Runs Google's consent flow again for the signed-in user's own Google account. */
export async function reconnectGmailAction(): Promise<void> {
  const user = await requireUser();
  await signIn("google", { redirectTo: "/settings?notice=reconnected" }, user.email ? { login_hint: user.email } : undefined);
}

export async function disconnectGmailAction(): Promise<ActionState> {
  const user = await requireUser();
  const outcome = await disconnectGmail(appConnectionDeps(), user.id, revokeGoogleToken);
  revalidatePath("/", "layout");
  switch (outcome) {
    case "revoked":
      return { ok: true, message: "Gmail disconnected. Google confirmed Evergreen's access is revoked." };
    case "revoke-pending":
      return {
        ok: true,
        message: "Gmail disconnected here, but Google could not be reached to revoke access. Evergreen will keep retrying; you can also remove it at myaccount.google.com/permissions.",
      };
    case "already-disconnected":
      return { ok: true, message: "Gmail was already disconnected." };
  }
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in?signed-out=1" });
}
