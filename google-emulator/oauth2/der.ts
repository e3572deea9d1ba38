// A DER writer (X.690) with just the types a self-signed X.509 certificate needs; each function returns a whole TLV.

/** The length octets: short form below 128, else 0x80 | count followed by the fewest big-endian bytes (X.690 §10.1). */
export function derLength(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`not a DER length: ${length}`);
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 0x100)) bytes.unshift(rest % 0x100);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derElement(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

export const derSequence = (...items: Uint8Array[]): Buffer => derElement(0x30, Buffer.concat(items));

export const derSet = (...items: Uint8Array[]): Buffer => derElement(0x31, Buffer.concat(items));

/**
 * A non-negative INTEGER from its unsigned big-endian bytes. DER wants the fewest two's-complement octets
 * (X.690 §8.3.2): leading zeros go, and one comes back when the top bit would otherwise read as a minus sign.
 */
export function derInteger(unsigned: Uint8Array): Buffer {
  const firstNonZero = unsigned.findIndex((byte) => byte !== 0);
  const magnitude = firstNonZero === -1 ? Buffer.from([0]) : Buffer.from(unsigned.subarray(firstNonZero));
  const content = (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  return derElement(0x02, content);
}

/** A BIT STRING of whole bytes: the leading octet says no bits of the last byte are unused. */
export const derBitString = (bytes: Uint8Array): Buffer => derElement(0x03, Buffer.concat([Buffer.from([0]), bytes]));

export const derNull = (): Buffer => derElement(0x05, Buffer.alloc(0));

/** An OBJECT IDENTIFIER from its already-encoded arcs. */
export const derObjectIdentifier = (encodedArcs: number[]): Buffer => derElement(0x06, Buffer.from(encodedArcs));

export const derUtf8String = (text: string): Buffer => derElement(0x0c, Buffer.from(text, "utf8"));

/** An explicitly tagged field, `[n] EXPLICIT`, as the certificate's version uses. */
export const derExplicit = (n: number, inner: Uint8Array): Buffer => derElement(0xa0 | n, inner);

/** RFC 5280 §4.1.2.5: UTCTime for 1950–2049, GeneralizedTime otherwise, both in whole seconds and Zulu. */
export function derTime(date: Date): Buffer {
  const digits = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? derElement(0x17, Buffer.from(`${digits.slice(2)}Z`, "ascii"))
    : derElement(0x18, Buffer.from(`${digits}Z`, "ascii"));
}
