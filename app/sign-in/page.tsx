import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AccountCard } from "@/components/account-card";
import { SubmitButton } from "@/components/submit-button";
import { getCurrentUser, hasRememberedGoogleAccount } from "@/lib/connection/auth";
import { safeCallbackPath } from "@/lib/http/safe-redirect";
import { describeSignInError } from "@/lib/connection/sign-in-errors";
import { signInWithGoogleAction } from "./actions";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{
    error?: string | string[];
    callbackUrl?: string | string[];
    "signed-out"?: string | string[];
  }>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await getCurrentUser()) redirect(callbackUrl);
  const error = describeSignInError(params.error);
  const remembered = await hasRememberedGoogleAccount();

  return (
    <AccountCard
      title="Sign in"
      lead="Use your Google account. When Google asks you to allow Evergreen to send email on your behalf, keep that box ticked so your email keeps flowing."
    >
      {params["signed-out"] ? (
        <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
          You are signed out.
        </p>
      ) : null}
      {params.callbackUrl && !params["signed-out"] && !error ? (
        <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
          Sign in to continue: Evergreen takes you back to the page you were on.
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <form action={signInWithGoogleAction} className="flex flex-col">
        <input type="hidden" name="callbackUrl" value={callbackUrl} />
        <SubmitButton pendingLabel="Opening Google…">Continue with Google</SubmitButton>
      </form>
      {remembered ? (
        <form action={signInWithGoogleAction} className="-mt-3 flex flex-col">
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          <input type="hidden" name="account" value="another" />
          <SubmitButton variant="secondary" pendingLabel="Opening Google…">
            Use another Google account
          </SubmitButton>
        </form>
      ) : null}
    </AccountCard>
  );
}
