import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/connection/auth";
import { firstNameOf } from "@/lib/crm/contact-fields";
import { TEMPLATE_LIMITS } from "@/lib/outreach/template-rules";
import { getTemplate } from "@/lib/outreach/template-store";
import { updateTemplateAction } from "../../actions";
import { TemplateForm } from "../../template-form";

export const metadata: Metadata = { title: "Edit template" };

export default async function EditTemplatePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const template = await getTemplate(user.id, id);
  if (!template) notFound();
  const { name, subject, body } = template;

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight break-words">Edit {name}</h1>
      <TemplateForm
        action={updateTemplateAction}
        initial={{ name, subject, body }}
        templateId={template.id}
        submitLabel="Save changes"
        cancelHref="/templates"
        limits={TEMPLATE_LIMITS}
        senderFirstName={firstNameOf({ name: user.name ?? "" })}
      />
    </div>
  );
}
