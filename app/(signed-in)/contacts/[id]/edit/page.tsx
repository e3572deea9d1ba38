import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/connection/auth";
import { getContact } from "@/lib/crm/contacts";
import { updateContactAction } from "../../actions";
import { ContactForm } from "../../contact-form";

export const metadata: Metadata = { title: "Edit contact" };

export default async function EditContactPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const contact = await getContact(user.id, id);
  if (!contact) notFound();
  const { name, firstName, email, company, title, phone, timeZone, notes } = contact;
  const tags = contact.tags.map(({ label }) => label).join(", ");

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight break-words">Edit {name || email}</h1>
      <ContactForm
        action={updateContactAction}
        initial={{ name, firstName, email, company, title, phone, timeZone, notes, tags }}
        contactId={contact.id}
        submitLabel="Save changes"
        cancelHref={`/contacts/${contact.id}`}
      />
    </div>
  );
}
