import Link from "next/link";

export default function HomePage() {
  return (
    <main className="mx-auto flex min-h-screen max-w-2xl flex-col justify-center gap-6 p-8">
      <p className="text-sm font-semibold uppercase tracking-wide text-brand-700">Evergreen CRM</p>
      <h1 className="text-4xl font-bold tracking-tight">Connect Gmail once. Keep sending.</h1>
      <p className="text-lg text-slate-600">
        Evergreen sends your email from your own Gmail address and keeps the connection alive for as long as Google
        allows. When Google does cut it, you learn why at once and fix it in one click, and no email is lost.
      </p>
      <div>
        <Link
          href="/sign-in"
          className="inline-flex items-center rounded-md bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-800"
        >
          Sign in
        </Link>
      </div>
    </main>
  );
}
