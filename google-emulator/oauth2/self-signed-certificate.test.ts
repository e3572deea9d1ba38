import { createPublicKey, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "./self-signed-certificate";

// One key for the file: RSA key generation is the slow part, and Google signs with RS256.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicKey = createPublicKey(privateKey);
const EDGE_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff];

function edgeSerials(): Buffer[] {
  const leadingPairs = EDGE_BYTES.flatMap((first) =>
    EDGE_BYTES.map((second) => Buffer.concat([Buffer.from([first, second]), randomBytes(6)])),
  );
  const shapes = ["0000000000000001", "000000000000007f", "0000000000000080", "00000000000000ff", "8000000000000000"];
  return [...leadingPairs, ...shapes.map((hex) => Buffer.from(hex, "hex")), Buffer.alloc(8, 0xff), Buffer.from([0x01])];
}

describe("self-signed certificate", () => {
  it("2,000 certificates with edge and random serials all parse, keep their serial and verify", () => {
    const edges = edgeSerials();
    const serials = [...edges, ...Array.from({ length: 2000 - edges.length }, () => randomBytes(8))];
    const failures: { serial: string; problem: string }[] = [];
    for (const serial of serials) {
      try {
        const certificate = new X509Certificate(createSelfSignedCertificate(privateKey, { serial }));
        if (!certificate.verify(publicKey)) failures.push({ serial: serial.toString("hex"), problem: "bad signature" });
        if (BigInt(`0x${certificate.serialNumber}`) !== BigInt(`0x${serial.toString("hex")}`)) {
          failures.push({ serial: serial.toString("hex"), problem: `serial read as ${certificate.serialNumber}` });
        }
      } catch (error) {
        failures.push({ serial: serial.toString("hex"), problem: String(error) });
      }
    }
    expect(serials).toHaveLength(2000);
    expect(failures).toEqual([]);
  });

  it("without a serial it picks a fresh positive one each time", () => {
    const serialOf = () => new X509Certificate(createSelfSignedCertificate(privateKey)).serialNumber;
    const [first, second] = [serialOf(), serialOf()];
    expect(first).not.toBe(second);
    expect(BigInt(`0x${first}`)).toBeGreaterThan(0n);
  });

  it("holds the key it was made for and is valid from a day before now for 3,650 days", () => {
    const now = new Date("2026-03-01T12:00:00Z");
    const certificate = new X509Certificate(createSelfSignedCertificate(privateKey, { now }));
    expect(certificate.publicKey.equals(publicKey)).toBe(true);
    expect(certificate.subject).toBe("CN=google-emulator.local");
    expect(new Date(certificate.validFrom)).toEqual(new Date("2026-02-28T12:00:00Z"));
    expect(new Date(certificate.validTo)).toEqual(new Date("2036-02-27T12:00:00Z"));
  });

  it("an expiry past 2049 still reads as that year, not as 19xx", () => {
    const certificate = new X509Certificate(
      createSelfSignedCertificate(privateKey, { now: new Date("2045-06-01T00:00:00Z") }),
    );
    expect(new Date(certificate.validTo).getUTCFullYear()).toBe(2055);
  });
});
