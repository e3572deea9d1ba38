import { MailParser, type AttachmentStream, type HeaderLines, type Headers, type MessageText } from "mailparser";

/**
 * A built message as a receiving client sees it, parsed by mailparser: the raw header lines and parsed
 * headers of every MIME part (simpleParser keeps only the top level's lines), and each attachment.
 */

export type ParsedPart = { headerLines: HeaderLines; headers: Headers };
export type ParsedAttachment = { filename?: string; contentType: string; content: Buffer };
export type ParsedMail = { parts: ParsedPart[]; attachments: ParsedAttachment[] };

type PartNode = { headerLines: HeaderLines; headers: Headers };
// MailParser builds one node per MIME part, in order; its createNode is not in the typings.
const createNode = (MailParser.prototype as unknown as { createNode(this: MailParser, node: unknown): PartNode })
  .createNode;

class PartRecordingParser extends MailParser {
  readonly parts: ParsedPart[] = [];

  createNode(node: unknown): PartNode {
    const created = createNode.call(this, node);
    this.parts.push({ headerLines: created.headerLines, headers: created.headers });
    return created;
  }
}

// Only headers and attachments matter here; text conversions and checksums would cost more than the parse.
const OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  checksumAlgo: false as const,
};

export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  const parser = new PartRecordingParser(OPTIONS);
  const attachments: ParsedAttachment[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
  });
  parser.on("data", (data: AttachmentStream | MessageText) => {
    if (data.type !== "attachment") return;
    const chunks: Buffer[] = [];
    data.content.on("data", (chunk: Buffer) => chunks.push(chunk));
    data.content.on("end", () => {
      attachments.push({ filename: data.filename, contentType: data.contentType, content: Buffer.concat(chunks) });
      data.release?.();
    });
  });
  parser.end(raw);
  await ended;
  return { parts: parser.parts, attachments };
}

/** Header names as they appear, lower-cased and sorted, duplicates kept: a multiset to compare. */
export const headerNames = (part: ParsedPart | undefined) => (part?.headerLines ?? []).map((line) => line.key).sort();
