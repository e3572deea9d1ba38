import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { EncryptionKey } from "../platform/env";

/**
 * Google tokens at rest: AES-256-GCM with a fresh 96-bit nonce per value. The stored string names the
 * key that sealed it, so keys can rotate (every configured key decrypts, the first encrypts), and the
 * owning row's id is bound in as associated data, so a ciphertext copied onto another row fails.
 *
 * Format: `ev1.<keyId>.<nonce>.<ciphertext+tag>` (base64url parts).
 */

const VERSION = "ev1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class TokenDecryptionError extends Error {
  constructor(reason: string) {
    super(`Stored token could not be decrypted: ${reason}`);
    this.name = "TokenDecryptionError";
  }
}

export function encryptToken(plaintext: string, rowId: string, keys: EncryptionKey[]): string {
  const current = keys[0];
  if (!current) throw new Error("No token encryption key is configured");
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(rowId, "utf8"));
  const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, current.id, nonce.toString("base64url"), sealed.toString("base64url")].join(".");
}

export function keyIdOf(stored: string): string | undefined {
  const [version, keyId] = stored.split(".");
  return version === VERSION ? keyId : undefined;
}

export function decryptToken(stored: string, rowId: string, keys: EncryptionKey[]): string {
  const [version, keyId, nonceText, sealedText, ...rest] = stored.split(".");
  if (version !== VERSION || !keyId || !nonceText || !sealedText || rest.length > 0) {
    throw new TokenDecryptionError("not an Evergreen ciphertext");
  }
  const key = keys.find((candidate) => candidate.id === keyId);
  if (!key) throw new TokenDecryptionError(`key "${keyId}" is not configured in TOKEN_ENCRYPTION_KEYS`);
  const sealed = Buffer.from(sealedText, "base64url");
  if (sealed.length < TAG_BYTES) throw new TokenDecryptionError("truncated");
  const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(nonceText, "base64url"), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(rowId, "utf8"));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new TokenDecryptionError("authentication failed (wrong row, wrong key or tampered)");
  }
}

/** Sealing bound to a set of keys: what domain code uses instead of passing keys around. */
export type TokenVault = {
  seal(plaintext: string, rowId: string): string;
  open(stored: string, rowId: string): string;
};

export function createTokenVault(keys: EncryptionKey[]): TokenVault {
  return {
    seal: (plaintext, rowId) => encryptToken(plaintext, rowId, keys),
    open: (stored, rowId) => decryptToken(stored, rowId, keys),
  };
}
