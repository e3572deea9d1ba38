"use server";

import { signInWithGoogle } from "@/lib/connection/auth";
import { safeCallbackPath } from "@/lib/http/safe-redirect";

// Typed unknown because it is a public endpoint: a hand-made request can pass anything, or nothing.
export async function signInWithGoogleAction(formData: unknown): Promise<void> {
  const field = (name: string) => (formData instanceof FormData ? formData.get(name) : null);
  const callbackUrl = field("callbackUrl");
  await signInWithGoogle(safeCallbackPath(typeof callbackUrl === "string" ? callbackUrl : undefined), {
    anotherAccount: field("account") === "another",
  });
}
