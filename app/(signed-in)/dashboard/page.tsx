import Link from "next/link";
import type { Metadata } from "next";
import { StatusBadge } from "@/components/status-badge";
import { requireUser } from "@/lib/auth";
import { getCurrentConnection } from "@/lib/connection";
import { describeConnectionStatus } from "@/lib/connection-copy";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser();
  const connection = await getCurrentConnection(user.id);
  const copy = connection ? describeConnectionStatus(connection.status, connection.reason) : undefined;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Welcome{user.name ? `, ${user.name.split(" ")[0]}` : ""}</h1>
        <p className="mt-1 text-slate-600">Your CRM, sending from your own Gmail address.</p>
      </div>
      <section aria-labelledby="gmail-heading" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex items-center justify-between gap-4">
          <h2 id="gmail-heading" className="text-lg font-semibold">
            Gmail
          </h2>
          {copy ? <StatusBadge tone={copy.tone}>{copy.title}</StatusBadge> : null}
        </div>
        <p className="mt-2 text-sm text-slate-600">
          {copy ? copy.explanation : "No Google account is linked yet."}{" "}
          <Link href="/settings" className="font-medium text-brand-700 underline">
            Connection settings
          </Link>
        </p>
      </section>
    </div>
  );
}
