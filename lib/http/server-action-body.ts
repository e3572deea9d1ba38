import { readLimitedBody } from "./limited-body";

/**
 * Next.js answers 500 to any server action body it cannot decode (its action handler maps every
 * decode error, and a body over its size limit, to 500). This checks the envelope first: a fetch
 * action (Next-Action header) carries its arguments as a JSON array, in a text body or in the "0"
 * field of a multipart body; a no-JS form action is any multipart POST.
 */

// next.config.js's serverActions.bodySizeLimit ("30mb"): 25 MB of attachments plus the message and form overhead.
export const ACTION_BODY_LIMIT = 30 * 1024 * 1024;
// What a request without a live session may post (the sign-in form sends a few hundred bytes), so nobody
// can make a server read and parse 30 MB before signing in.
export const ANONYMOUS_ACTION_BODY_LIMIT = 64 * 1024;
// Parts of a multipart action body: compose's 100 recipients and 20 files stay far below it, and parsing
// a body of hundreds of thousands of tiny fields would hold up the server.
export const MAX_ACTION_BODY_PARTS = 1_000;
// How deeply arguments may nest: our actions take flat values; a deeper one would only exhaust the stack.
const MAX_ARGUMENT_DEPTH = 32;

/** What the request boundary learns of a possible server action: a refusal, or which action it calls. */
export type ActionBodyVerdict = { status?: 400 | 413 | 415; actionId?: string };

type Options = {
  /** Asked only of a possible action body: the largest it may be (proxy.ts looks the session up). */
  bodyLimit?: () => Promise<number>;
};

export async function malformedActionBodyStatus(request: Request, options: Options = {}) {
  return (await inspectActionBody(request, options)).status;
}

/**
 * Checks a possible server action's body, and names the action it calls: a fetch action by its
 * Next-Action header, a no-JavaScript form post by its `$ACTION_ID_<id>` field or the bound action its
 * `$ACTION_REF_<n>` field points to. The body is read at most up to its limit.
 */
export async function inspectActionBody(request: Request, options: Options = {}): Promise<ActionBodyVerdict> {
  if (request.method !== "POST") return {};
  const headerActionId = request.headers.get("next-action");
  const isFetchAction = headerActionId !== null;
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  const isMultipart = mediaType === "multipart/form-data";
  if (!isFetchAction && !isMultipart) return {};
  if (isFetchAction && !isMultipart && mediaType !== "text/plain") return { status: 415 };

  const limit = options.bodyLimit ? await options.bodyLimit() : ACTION_BODY_LIMIT;
  const body = await readLimitedBody(request, limit);
  if (!body) return { status: 413 };
  if (!isMultipart) {
    return isDecodableReply(new TextDecoder().decode(body)) ? { actionId: headerActionId! } : { status: 400 };
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary && countOccurrences(body, `--${boundary}`) > MAX_ACTION_BODY_PARTS + 1) return { status: 413 };
  const form = await new Response(body, { headers: { "content-type": contentType } }).formData().catch(() => undefined);
  if (!form) return { status: 400 };
  if (isFetchAction) {
    const root = form.get("0");
    return typeof root === "string" && isDecodableReply(root, form) ? { actionId: headerActionId } : { status: 400 };
  }
  return formPostAction(form);
}

function countOccurrences(haystack: Uint8Array, needle: string): number {
  const buffer = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  let count = 0;
  for (let at = buffer.indexOf(needle); at !== -1; at = buffer.indexOf(needle, at + needle.length)) count++;
  return count;
}

/**
 * A no-JavaScript form post, decoded as React's decodeAction does: `$ACTION_ID_<id>` names the action;
 * `$ACTION_REF_<n>` says its id and bound arguments are a reply in the fields `$ACTION_<n>:<k>`, which
 * Next.js answers with a 500 when they point nowhere. Any other multipart POST is not an action.
 */
function formPostAction(form: FormData): ActionBodyVerdict {
  for (const name of form.keys()) {
    if (name.startsWith("$ACTION_ID_")) return { actionId: name.slice("$ACTION_ID_".length) };
    if (!name.startsWith("$ACTION_REF_")) continue;
    const prefix = `$ACTION_${name.slice("$ACTION_REF_".length)}:`;
    const fields = new FormData();
    for (const [key, value] of form.entries())
      if (key.startsWith(prefix)) fields.append(key.slice(prefix.length), value);
    const root = fields.get("0");
    if (typeof root !== "string" || !isDecodableReply(root, fields, "object")) return { status: 400 };
    const { id } = JSON.parse(root) as { id?: unknown };
    return typeof id === "string" ? { actionId: id } : { status: 400 };
  }
  return {};
}

// React's reply encoding marks special values with "$": plain ones ("$$" for a "$", dates, big integers,
// a FormData's fields, "$T" for what the client kept), and pointers to other fields of a multipart body.
// React's decoder throws on a pointer to nothing (Next.js's 500 again); our actions take no streams or functions.
const PLAIN_VALUE = /^\$(?:\$|undefined$|Infinity$|-Infinity$|NaN$|-0$|T$|D|n-?\d+$|K[0-9a-f]+$)/;
const TO_JSON_FIELD = /^\$[QWi@]?([0-9a-f]+)(?::|$)/;
const TO_FILE_FIELD = /^\$[BAOoUSsLlGgMmV]([0-9a-f]+)$/;

/** The arguments are a JSON array (or a bound action's object) whose every "$" value is plain or points to a field the body has. */
function isDecodableReply(root: string, fields?: FormData, rootKind: "array" | "object" = "array"): boolean {
  const checked = new Set<string>();
  const decodable = (json: string, kind?: "array" | "object"): boolean => {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return false;
    }
    if (kind === "array" && !Array.isArray(value)) return false;
    if (kind === "object" && (typeof value !== "object" || value === null || Array.isArray(value))) return false;
    return valuesDecodable(value, 0);
  };
  const valuesDecodable = (value: unknown, depth: number): boolean => {
    if (depth > MAX_ARGUMENT_DEPTH) return false;
    if (Array.isArray(value)) return value.every((item) => valuesDecodable(item, depth + 1));
    if (typeof value === "object" && value !== null)
      return Object.values(value).every((item) => valuesDecodable(item, depth + 1));
    if (typeof value !== "string" || !value.startsWith("$") || PLAIN_VALUE.test(value)) return true;
    const file = TO_FILE_FIELD.exec(value);
    if (file) return fields?.get(String(parseInt(file[1]!, 16))) instanceof Blob;
    const field = TO_JSON_FIELD.exec(value);
    if (!field) return false;
    const name = String(parseInt(field[1]!, 16));
    if (checked.has(name)) return true;
    checked.add(name);
    // Field 0 is the arguments themselves: React points there for a value passed twice.
    const text = name === "0" ? root : fields?.get(name);
    return typeof text === "string" && decodable(text);
  };
  return decodable(root, rootKind);
}
