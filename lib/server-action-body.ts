/**
 * Next.js answers 500 to any server action body it cannot decode (its action handler maps every
 * decode error, and a body over its size limit, to 500). This checks the envelope first: a fetch
 * action (Next-Action header) carries its arguments as a JSON array, in a text body or in the "0"
 * field of a multipart body; a no-JS form action is any multipart POST.
 */

// next.config.js's serverActions.bodySizeLimit ("30mb"): 25 MB of attachments plus the message and form overhead.
export const ACTION_BODY_LIMIT = 30 * 1024 * 1024;

export async function malformedActionBodyStatus(request: Request): Promise<400 | 413 | 415 | undefined> {
  if (request.method !== "POST") return undefined;
  const isFetchAction = request.headers.has("next-action");
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  const isMultipart = mediaType === "multipart/form-data";
  if (!isFetchAction && !isMultipart) return undefined;
  if (isFetchAction && !isMultipart && mediaType !== "text/plain") return 415;

  const body = await request.arrayBuffer();
  if (body.byteLength > ACTION_BODY_LIMIT) return 413;
  if (!isMultipart) return isDecodableReply(new TextDecoder().decode(body)) ? undefined : 400;
  const form = await new Response(body, { headers: { "content-type": contentType } }).formData().catch(() => undefined);
  if (!form) return 400;
  if (!isFetchAction) return undefined;
  const root = form.get("0");
  return typeof root === "string" && isDecodableReply(root, form) ? undefined : 400;
}

// React's reply encoding marks special values with "$": plain ones ("$$" for a "$", dates, big integers,
// a FormData's fields, "$T" for what the client kept), and pointers to other fields of a multipart body.
// React's decoder throws on a pointer to nothing (Next.js's 500 again); our actions take no streams or functions.
const PLAIN_VALUE = /^\$(?:\$|undefined$|Infinity$|-Infinity$|NaN$|-0$|T$|D|n-?\d+$|K[0-9a-f]+$)/;
const TO_JSON_FIELD = /^\$[QWi@]?([0-9a-f]+)(?::|$)/;
const TO_FILE_FIELD = /^\$[BAOoUSsLlGgMmV]([0-9a-f]+)$/;

/** The arguments are a JSON array whose every "$" value is plain or points to a field the body has. */
function isDecodableReply(root: string, fields?: FormData): boolean {
  const checked = new Set<string>();
  const decodable = (json: string, mustBeArray: boolean): boolean => {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return false;
    }
    return (!mustBeArray || Array.isArray(value)) && valuesDecodable(value);
  };
  const valuesDecodable = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.every(valuesDecodable);
    if (typeof value === "object" && value !== null) return Object.values(value).every(valuesDecodable);
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
    return typeof text === "string" && decodable(text, false);
  };
  return decodable(root, true);
}
