/**
 * A request body read only up to `limit` bytes, for routes that take posts from outside the app (an
 * unsubscribe link, Google's security events): a declared or streamed body over the limit is refused
 * without reading the rest. Null when too large; throws when the body cannot be read at all.
 */
export async function readLimitedBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (Number(request.headers.get("content-length")) > limit) return null;
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
    length += next.value.byteLength;
    if (length > limit) {
      await reader!.cancel();
      return null;
    }
    chunks.push(next.value);
  }
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
