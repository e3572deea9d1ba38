import { createHash } from "node:crypto";

// Refresh token fingerprints for Google's token-revoked event (google-risc.md §2.6).

const sha512 = (data: string | Buffer) => createHash("sha512").update(data).digest();

/**
 * One-way fingerprints of a refresh token, stored beside the sealed token so a token-revoked event
 * finds its row without decrypting any. Google's `hash_base64_sha512_sha512` is read by everyone we
 * know of as SHA-512 over the raw SHA-512 digest; its hex-digest reading is kept too. The 16-character
 * prefix is kept only as a SHA-256, never in the clear.
 */
export function refreshTokenFingerprints(refreshToken: string) {
  const inner = sha512(refreshToken);
  return {
    refreshTokenHash: sha512(inner).toString("base64"),
    refreshTokenHexHash: sha512(inner.toString("hex")).toString("base64"),
    refreshTokenPrefixHash: prefixHash(refreshToken.slice(0, 16)),
  };
}

function prefixHash(prefix: string): string {
  return createHash("sha256").update(prefix).digest("base64");
}

/** The Account rows a token-revoked event's identifier can match, whatever encoding Google chose for the hash. */
export function tokenIdentifierWhere(alg: unknown, token: unknown) {
  if (typeof token !== "string" || !token || token.length > 512) return undefined;
  if (alg === "prefix") return token.length === 16 ? { refreshTokenPrefixHash: prefixHash(token) } : undefined;
  if (alg !== "hash_base64_sha512_sha512") return undefined;
  // Standard or URL-safe base64, padded or not, or hex: the same 64 bytes, stored as padded standard base64.
  const bytes = /^[0-9a-f]{128}$/i.test(token) ? Buffer.from(token, "hex") : Buffer.from(token, "base64");
  if (bytes.length !== 64) return undefined;
  const hash = bytes.toString("base64");
  return { OR: [{ refreshTokenHash: hash }, { refreshTokenHexHash: hash }] };
}
