/**
 * Whether files fit a message's attachment limits, decided in the browser before anything is uploaded
 * (the server checks again, by lib/mail/compose.ts). Pure: the limits come from the caller.
 */

export type AttachmentLimits = { maxCount: number; maxBytes: number };
type Sized = { name: string; size: number };

const UNITS = ["B", "KB", "MB", "GB"] as const;

/** A size as people read it: 900 B, 14 KB, 2.4 MB, 25 MB (binary multiples, as Gmail counts). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 || value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${UNITS[unit]}`;
}

export const totalBytes = (files: readonly Sized[]) => files.reduce((sum, file) => sum + file.size, 0);

/**
 * Which of `incoming` can join `current`, in order, and a sentence naming those that cannot and why
 * (null when all fit). A file that does not fit does not stop a smaller one after it.
 */
export function fitAttachments<T extends Sized>(
  current: readonly Sized[],
  incoming: readonly T[],
  limits: AttachmentLimits,
): { accepted: T[]; refused: string | null } {
  let count = current.length;
  let bytes = totalBytes(current);
  const accepted: T[] = [];
  const tooMany: T[] = [];
  const tooBig: T[] = [];
  for (const file of incoming) {
    if (count >= limits.maxCount) tooMany.push(file);
    else if (bytes + file.size > limits.maxBytes) tooBig.push(file);
    else {
      accepted.push(file);
      count += 1;
      bytes += file.size;
    }
  }
  const sentences: string[] = [];
  if (tooBig.length > 0) {
    sentences.push(
      `${describe(tooBig)} not attached: attachments can add up to ${formatBytes(limits.maxBytes)} per message. Send large files as a link.`,
    );
  }
  if (tooMany.length > 0)
    sentences.push(`${describe(tooMany)} not attached: at most ${limits.maxCount} attachments per message.`);
  return { accepted, refused: sentences.length > 0 ? sentences.join(" ") : null };
}

function describe(files: readonly Sized[]): string {
  const shown = files.slice(0, 3).map((file) => `“${file.name}” (${formatBytes(file.size)})`);
  const more = files.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}
