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
  if (!isMultipart) return isJsonArray(new TextDecoder().decode(body)) ? undefined : 400;
  const form = await new Response(body, { headers: { "content-type": contentType } }).formData().catch(() => undefined);
  if (!form) return 400;
  if (!isFetchAction) return undefined;
  const root = form.get("0");
  return typeof root === "string" && isJsonArray(root) ? undefined : 400;
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}
