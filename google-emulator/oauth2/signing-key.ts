import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { SignJWT, type JWK } from "jose";
import { createSelfSignedCertificate } from "./self-signed-certificate";

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
  certificatePem: string;
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return signingKeyFrom(privateKey);
}

export function loadSigningKey(pkcs8Pem: string): SigningKey {
  return signingKeyFrom(createPrivateKey(pkcs8Pem));
}

export function exportSigningKey(key: SigningKey): string {
  return key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: "spki", format: "der" });
  // Google's kids are 40 hex characters; a hash of the public key keeps ours stable across restarts.
  const kid = createHash("sha1").update(spki).digest("hex");
  const jwk = publicKey.export({ format: "jwk" });
  return {
    kid,
    privateKey,
    publicJwk: { kty: "RSA", alg: "RS256", use: "sig", kid, n: jwk.n, e: jwk.e },
    certificatePem: createSelfSignedCertificate(privateKey),
  };
}

export function jwks(key: SigningKey): { keys: JWK[] } {
  return { keys: [key.publicJwk] };
}

export function pemCertificates(key: SigningKey): Record<string, string> {
  return { [key.kid]: key.certificatePem };
}

export async function signIdToken(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" }).sign(key.privateKey);
}

/** at_hash: base64url of the left half of SHA-256 over the access token (OIDC Core 3.1.3.6). */
export function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken).digest().subarray(0, 16).toString("base64url");
}
