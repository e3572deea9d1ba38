import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/connection/auth";
import { createContactAction } from "../actions";
import { ContactForm } from "../contact-form";

export const metadata: Metadata = { title: "Add a contact" };

const EMPTY = {
  name: "",
  firstName: "",
  email: "",
  company: "",
  title: "",
  phone: "",
  timeZone: "",
  notes: "",
  tags: "",
};

export default async function NewContactPage() {
  await requireUser();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Add a contact</h1>
        <p className="mt-1 text-sm text-slate-600">
          Only the email is required. Have many?{" "}
          <Link href="/contacts/import" className="font-medium text-brand-700 underline">
            Import a CSV
          </Link>{" "}
          instead.
        </p>
      </div>
      <ContactForm action={createContactAction} initial={EMPTY} submitLabel="Save contact" cancelHref="/contacts" />
    </div>
  );
}
