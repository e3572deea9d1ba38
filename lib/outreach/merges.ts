import { appDeps, type AppDeps } from "../platform/deps";
import { UserError } from "../platform/errors";

/** Who a merge goes to: contacts picked by hand, or every contact matching a tag and/or a search. */
export type MergeAudience = { kind: "selected"; contactIds: string[] } | { kind: "matching"; tag?: string; query?: string };

export const MAX_MERGE_RECIPIENTS = 2_000;

export function readMergeAudience(form: FormData): MergeAudience {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  if (text("scope") === "matching") return { kind: "matching", tag: text("tag"), query: text("q") };
  const ids = form.getAll("contactId").filter((value): value is string => typeof value === "string");
  return { kind: "selected", contactIds: ids };
}

export async function prepareMerge(
  userId: string,
  audience: MergeAudience,
  deps: AppDeps = appDeps(),
): Promise<{ id: string }> {
  void userId;
  void audience;
  void deps;
  throw new UserError("Mail merge is not ready yet.");
}
