/** A one-time confirmation that something the user cares about worked, announced politely. */
export function SuccessNotice({ children }: { children: string }) {
  return (
    <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
      {children}
    </p>
  );
}
