import type { EmulatorControl } from "@/google-emulator/control/client";
import { connect, EVERGREEN_SCOPES } from "@/google-emulator/testing";
import type { AppDeps } from "@/lib/platform/deps";
import { linkGoogleAccount } from "@/lib/connection/sign-in";

/** Users connected through the local Google's screens, as several benches need them. */

/** A new Google account at the local Google, consented to on its screens and linked to a new Evergreen user. */
export async function connectedGoogleUser(
  control: EmulatorControl,
  url: string,
  deps: AppDeps,
  user: { email: string; name: string; scopes?: string[]; replyDetection?: boolean },
): Promise<string> {
  const { sub } = await control.addUser({ email: user.email });
  const { tokens } = await connect(url, {
    prompt: "consent",
    account: user.email,
    scopes: user.scopes ?? EVERGREEN_SCOPES,
  });
  const { id: userId } = await deps.db.user.create({
    data: { email: user.email, name: user.name, replyDetection: user.replyDetection ?? false },
  });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: sub,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId,
      type: "oidc",
      provider: "google",
    },
    deps,
  );
  return userId;
}
