import type { Metadata } from "next";
import { requireUser } from "@/lib/connection/auth";
import { firstNameOf } from "@/lib/crm/contact-fields";
import { TEMPLATE_LIMITS } from "@/lib/outreach/template-rules";
import { createTemplateAction } from "../actions";
import { TemplateForm } from "../template-form";

export const metadata: Metadata = { title: "New template" };

const EMPTY = { name: "", subject: "", body: "" };

export default async function NewTemplatePage() {
  const user = await requireUser();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">New template</h1>
        <p className="mt-1 text-sm text-slate-600">A name and a body are required; the subject is optional.</p>
      </div>
      <TemplateForm
        action={createTemplateAction}
        initial={EMPTY}
        submitLabel="Save template"
        cancelHref="/templates"
        limits={TEMPLATE_LIMITS}
        senderFirstName={firstNameOf({ name: user.name ?? "" })}
      />
    </div>
  );
}
