import type { ReactNode } from "react";

/** The signed-out pages' frame (sign-in, sign-out): Evergreen's name, a heading, a lead, then the forms. */
export function AccountCard({ title, lead, children }: { title: string; lead: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm space-y-6 rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <div className="space-y-2 text-center">
          <p className="text-lg font-bold tracking-tight text-brand-800">Evergreen</p>
          <h1 className="text-2xl font-semibold">{title}</h1>
          <p className="text-sm text-slate-600">{lead}</p>
        </div>
        {children}
      </div>
    </main>
  );
}
