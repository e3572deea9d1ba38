/** The one result shape every form's server action returns. */
export type ActionState = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  values?: Record<string, string>;
};

export const IDLE: ActionState = { ok: true };
