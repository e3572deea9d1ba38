/** The one result shape every form's server action returns. */
export type ActionState = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  values?: Record<string, string>;
};

export const IDLE: ActionState = { ok: true };

/** A form's text field as submitted, or "" when it is missing or a file (forms are public endpoints). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
