import { createPublicKey, randomBytes, sign, type KeyObject } from "node:crypto";
import {
  derBitString,
  derExplicit,
  derInteger,
  derNull,
  derObjectIdentifier,
  derSequence,
  derSet,
  derTime,
  derUtf8String,
} from "./der";

const DAY_MS = 86_400_000;
// 1.2.840.113549.1.1.11 and 2.5.4.3.
const SHA256_WITH_RSA = derSequence(
  derObjectIdentifier([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]),
  derNull(),
);
const COMMON_NAME = [0x55, 0x04, 0x03];
const NAME = derSequence(derSet(derSequence(derObjectIdentifier(COMMON_NAME), derUtf8String("google-emulator.local"))));

export interface CertificateOptions {
  /** Unsigned big-endian bytes; random when absent. */
  serial?: Uint8Array;
  now?: Date;
}

/** An X.509 v3 certificate for the key, as Google's /oauth2/v1/certs serves its keys. */
export function createSelfSignedCertificate(privateKey: KeyObject, options: CertificateOptions = {}): string {
  const now = options.now?.getTime() ?? Date.now();
  const tbs = derSequence(
    derExplicit(0, derInteger(Uint8Array.of(2))),
    derInteger(options.serial ?? randomSerial()),
    SHA256_WITH_RSA,
    NAME,
    derSequence(derTime(new Date(now - DAY_MS)), derTime(new Date(now + 3650 * DAY_MS))),
    NAME,
    createPublicKey(privateKey).export({ type: "spki", format: "der" }),
  );
  const certificate = derSequence(tbs, SHA256_WITH_RSA, derBitString(sign("sha256", tbs, privateKey)));
  const base64 = certificate.toString("base64").replace(/.{64}/g, "$&\n").trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

function randomSerial(): Buffer {
  const serial = randomBytes(8);
  // RFC 5280 §4.1.2.2 wants a positive serial; an odd one is never zero.
  serial[7] = (serial[7] ?? 0) | 1;
  return serial;
}
