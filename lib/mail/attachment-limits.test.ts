import { describe, expect, it } from "vitest";
import { fitAttachments, formatBytes, totalBytes } from "./attachment-limits";
import { MAX_ATTACHMENTS, MAX_ATTACHMENTS_BYTES } from "./compose";

const MB = 1024 * 1024;
const limits = { maxCount: MAX_ATTACHMENTS, maxBytes: MAX_ATTACHMENTS_BYTES };
const file = (name: string, size: number) => ({ name, size });

describe("attachment sizes as people read them", () => {
  it.each([
    [0, "0 B"],
    [900, "900 B"],
    [1536, "1.5 KB"],
    [14 * 1024 + 300, "14 KB"],
    [2.44 * MB, "2.4 MB"],
    [MAX_ATTACHMENTS_BYTES, "25 MB"],
  ])("%d bytes is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("attachments checked before any upload", () => {
  it("accepts files up to exactly Gmail's 25 MB in total", () => {
    const result = fitAttachments([file("a.pdf", 20 * MB)], [file("b.pdf", 5 * MB)], limits);
    expect(result).toEqual({ accepted: [file("b.pdf", 5 * MB)], refused: null });
  });

  it("refuses a file that would pass the total, naming it and the limit, and still takes a smaller one", () => {
    const result = fitAttachments([file("a.pdf", 20 * MB)], [file("big.zip", 6 * MB), file("small.txt", 10)], limits);
    expect(result.accepted).toEqual([file("small.txt", 10)]);
    expect(result.refused).toBe(
      "“big.zip” (6 MB) not attached: attachments can add up to 25 MB per message. Send large files as a link.",
    );
  });

  it("refuses files past the count limit", () => {
    const current = Array.from({ length: MAX_ATTACHMENTS - 1 }, (_, n) => file(`f${n}`, 1));
    const result = fitAttachments(current, [file("last", 1), file("one.txt", 1), file("two.txt", 1)], limits);
    expect(result.accepted.map((f) => f.name)).toEqual(["last"]);
    expect(result.refused).toBe("“one.txt” (1 B), “two.txt” (1 B) not attached: at most 20 attachments per message.");
  });

  it("names the first three refused files and counts the rest", () => {
    const result = fitAttachments(
      [],
      [file("a", 30 * MB), file("b", 30 * MB), file("c", 30 * MB), file("d", 30 * MB)],
      limits,
    );
    expect(result.refused).toMatch(/^“a” \(30 MB\), “b” \(30 MB\), “c” \(30 MB\) and 1 more not attached/);
  });

  it("adds up sizes", () => {
    expect(totalBytes([file("a", 1), file("b", 2)])).toBe(3);
  });
});
