import { describe, expect, it } from "vitest";
import { derElement, derInteger, derLength, derTime } from "./der";

const bytes = (...values: number[]) => Buffer.from(values);
const hex = (...values: number[]) => Buffer.from(values).toString("hex");
const EDGE_BYTES = [0x00, 0x7f, 0x80, 0xff];

describe("DER lengths", () => {
  it.each([
    [0, "00"],
    [127, "7f"],
    [128, "8180"],
    [255, "81ff"],
    [256, "820100"],
    [65_535, "82ffff"],
    [65_536, "83010000"],
  ])("%i is written %s", (length, written) => {
    expect(derLength(length).toString("hex")).toBe(written);
  });

  it.each([127, 128, 255, 256])("an element with %i content bytes is tag, length, then exactly that content", (n) => {
    const content = Buffer.alloc(n, 0xab);
    const element = derElement(0x04, content);
    expect(element).toEqual(Buffer.concat([bytes(0x04), derLength(n), content]));
  });
});

describe("DER INTEGER from unsigned bytes", () => {
  it.each([
    ["zero", [], [0x00]],
    ["zero with padding", [0x00, 0x00], [0x00]],
    ["0x7f", [0x7f], [0x7f]],
    ["0x80 gains a sign byte", [0x80], [0x00, 0x80]],
    ["0xff gains a sign byte", [0xff], [0x00, 0xff]],
    ["00 7f loses its padding (issue 24)", [0x00, 0x7f, 0x01], [0x7f, 0x01]],
    ["00 80 keeps its zero as the sign byte", [0x00, 0x80, 0x01], [0x00, 0x80, 0x01]],
    ["00 00 80 keeps exactly one zero", [0x00, 0x00, 0x80], [0x00, 0x80]],
    ["01 00 is already minimal", [0x01, 0x00], [0x01, 0x00]],
  ])("%s", (_, input, content) => {
    expect(derInteger(Uint8Array.from(input))).toEqual(Buffer.concat([bytes(0x02, content.length), bytes(...content)]));
  });

  // X.690 §8.3.2: the first nine bits are never all zero, and a clear top bit keeps the value non-negative.
  it.each(EDGE_BYTES.flatMap((first) => EDGE_BYTES.map((second) => [hex(first, second), first, second] as const)))(
    "leading %s: minimal, non-negative, same value",
    (_, first, second) => {
      const input = bytes(first, second, 0x12, 0x34);
      const element = derInteger(input);
      const content = element.subarray(2);
      expect(element[0]).toBe(0x02);
      expect(element[1]).toBe(content.length);
      expect(content[0]! & 0x80).toBe(0);
      expect(content.length === 1 || content[0] !== 0x00 || content[1]! >= 0x80).toBe(true);
      expect(BigInt(`0x${content.toString("hex")}`)).toBe(BigInt(`0x${input.toString("hex")}`));
    },
  );

  it.each([127, 128, 255, 256])("a %i-byte content takes the matching length form", (n) => {
    const element = derInteger(Buffer.alloc(n - 1, 0xff));
    expect(element.subarray(0, 1 + derLength(n).length)).toEqual(Buffer.concat([bytes(0x02), derLength(n)]));
    expect(element.length).toBe(1 + derLength(n).length + n);
  });
});

describe("DER time", () => {
  it.each([
    ["1949-12-31T23:59:59.999Z", 0x18, "19491231235959Z"],
    ["1950-01-01T00:00:00.000Z", 0x17, "500101000000Z"],
    ["2049-12-31T23:59:59.999Z", 0x17, "491231235959Z"],
    ["2050-01-01T00:00:00.000Z", 0x18, "20500101000000Z"],
  ])("%s is tag %i, %s", (iso, tag, text) => {
    expect(derTime(new Date(iso))).toEqual(derElement(tag, Buffer.from(text, "ascii")));
  });
});
