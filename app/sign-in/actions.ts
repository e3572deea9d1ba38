"use server";

import { signIn } from "@/lib/auth";
import { safeCallbackPath } from "@/lib/safe-redirect";

// Typed unknown because it is a public endpoint: a hand-made request can pass anything, or nothing.
export async function signInWithGoogleAction(formData: unknown): Promise<void> {
  const callbackUrl = formData instanceof FormData ? formData.get("callbackUrl") : null;
  await signIn("google", { redirectTo: safeCallbackPath(typeof callbackUrl === "string" ? callbackUrl : undefined) });
}
