import Link from "next/link";
import type { ReactNode } from "react";
import { ConnectionBanner } from "@/components/connection-banner";
import { NavLink } from "@/components/nav-link";
import { SuccessNotice } from "@/components/success-notice";
import { requireUser } from "@/lib/connection/auth";
import { getCurrentConnection, takeCurrentRestoredNotice } from "@/lib/connection/status";
import { describeConnection, restoredNoticeText } from "@/lib/connection/copy";
import { HIJACKING_NOTICE, takeHijackingNotice } from "@/lib/connection/risc";
import { SignOutForm } from "../sign-out/sign-out-form";
import { reconnectGmailAction } from "./connection-actions";

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const connection = await getCurrentConnection(user.id);
  const copy = connection ? describeConnection(connection) : undefined;
  const restored = connection?.restoredAt ? await takeCurrentRestoredNotice(user.id) : null;
  const hijacked = connection ? await takeHijackingNotice(user.id) : false;

  return (
    <div className="flex min-h-screen flex-col">
      {/* The first Tab stop: past the header and its links to the page itself. */}
      <a
        href="#content"
        className="sr-only rounded-md bg-brand-700 px-4 py-2 text-sm font-medium text-white focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        {/* On a phone the navigation takes a row of its own under the name and Sign out, wrapping so every link shows. */}
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3">
          <div className="contents md:flex md:items-center md:gap-6">
            <Link href="/dashboard" className="text-lg font-bold tracking-tight text-brand-800">
              Evergreen
            </Link>
            <nav
              aria-label="Main"
              className="order-last -mx-1 flex w-full flex-wrap gap-1 md:order-none md:mx-0 md:w-auto"
            >
              <NavLink href="/dashboard">Dashboard</NavLink>
              <NavLink href="/contacts">Contacts</NavLink>
              <NavLink href="/compose">Compose</NavLink>
              <NavLink href="/templates">Templates</NavLink>
              <NavLink href="/merges">Merges</NavLink>
              <NavLink href="/sequences">Sequences</NavLink>
              <NavLink href="/outbox">Outbox</NavLink>
              <NavLink href="/settings">Settings</NavLink>
            </nav>
          </div>
          <div className="flex items-center gap-3">
            {/* Cut short (whole on hover) so the header stays one row beside eight links. */}
            <span title={user.email ?? undefined} className="hidden max-w-28 truncate text-sm text-slate-600 lg:inline">
              {user.email}
            </span>
            <SignOutForm userId={user.id} variant="secondary" />
          </div>
        </div>
      </header>
      {copy && copy.tone !== "ok" ? <ConnectionBanner copy={copy} fixAction={reconnectGmailAction} /> : null}
      <main
        id="content"
        tabIndex={-1}
        className="mx-auto w-full max-w-5xl flex-1 space-y-6 px-4 py-8 focus:outline-none"
      >
        {hijacked ? (
          <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950">
            {HIJACKING_NOTICE}
          </p>
        ) : null}
        {restored ? <SuccessNotice>{restoredNoticeText(restored.by, restored.googleEmail)}</SuccessNotice> : null}
        {children}
      </main>
    </div>
  );
}
