import type { Metadata } from "next";
import Link from "next/link";
import { AccountCard } from "@/components/account-card";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/connection/auth";
import { SignOutForm } from "./sign-out-form";

export const metadata: Metadata = { title: "Sign out" };

/**
 * Where `GET /api/auth/signout` leads (Auth.js `pages.signOut`): a confirmation in Evergreen's own look,
 * instead of Auth.js's built-in page, whose inline styles the Content-Security-Policy refuses.
 * The header's Sign out button skips it.
 */
export default async function SignOutPage() {
  // Signed out already: nothing to confirm, and nothing to come back to after signing in.
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  return (
    <AccountCard
      title="Sign out"
      lead={`You are signed in${user.email ? ` as ${user.email}` : ""}. Signing out ends this session only: Gmail stays connected, and email already in your outbox still goes out.`}
    >
      <SignOutForm userId={user.id} autoFocus />
      <p className="text-center text-sm">
        <Link href="/dashboard" className="font-medium text-brand-700 underline">
          Stay signed in
        </Link>
      </p>
    </AccountCard>
  );
}
