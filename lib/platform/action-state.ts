import { UserError } from "./errors";

/** The one result shape every form's server action returns. */
export type ActionState = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  values?: Record<string, string>;
};

export const IDLE: ActionState = { ok: true };

/** The answer to a request no form of ours sends (the arguments are not a form). */
export const NOT_UNDERSTOOD: ActionState = { ok: false, message: "That request was not understood; reload the page." };

/** The summary above a form whose fields are marked. */
export const FIX_BELOW = "Not saved: fix what is marked below.";

/**
 * A UserError as a form's answer: at the field it names (with `summary` above the form), or as the
 * message; the values typed are kept. Any other error is rethrown, for the error page.
 */
export function refused(error: unknown, values?: Record<string, string>, summary = FIX_BELOW): ActionState {
  if (!(error instanceof UserError)) throw error;
  return error.field
    ? { ok: false, message: summary, fieldErrors: { [error.field]: [error.message] }, values }
    : { ok: false, message: error.message, values };
}

/** A form's text field as submitted, or "" when it is missing or a file (forms are public endpoints). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
