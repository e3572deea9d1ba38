"use server";

import { signIn } from "@/lib/auth";
import { safeCallbackPath } from "@/lib/safe-redirect";

export async function signInWithGoogleAction(formData: FormData): Promise<void> {
  const callbackUrl = formData.get("callbackUrl");
  await signIn("google", { redirectTo: safeCallbackPath(typeof callbackUrl === "string" ? callbackUrl : undefined) });
}
