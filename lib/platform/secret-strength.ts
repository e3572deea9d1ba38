// Catches secrets that are clearly not random. Each threshold sits far outside what real randomness
// produces (the tightest case, `openssl rand -hex 16`, trips one less than once in 10^11 draws).

const MIN_SECRET_LENGTH = 32;
const MIN_SECRET_BITS_PER_CHAR = 2;
// Random 32-byte keys carry ~4.9 bits per byte; text-derived test keys such as the e2e one ~3.4.
const MIN_KEY_BITS_PER_BYTE = 3;
const MAX_NEIGHBOUR_SHARE = 0.75;
const KEYBOARD_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|placeholder|your[-_ ]?secret/i;

/** Why AUTH_SECRET is weak, as the end of a sentence starting "this one …"; undefined when it may be random. */
export function describeWeakSecret(secret: string): string | undefined {
  const chars = [...secret];
  if (chars.length < MIN_SECRET_LENGTH) return `is shorter than ${MIN_SECRET_LENGTH} characters`;
  if (PLACEHOLDER.test(secret)) return "looks like a placeholder";
  if (entropyBitsPerSymbol(chars) < MIN_SECRET_BITS_PER_CHAR) return "uses too few different characters";
  if (repeatsShortPattern(chars)) return "repeats a short pattern";
  if (neighbourShare(chars, areNeighbourChars) >= MAX_NEIGHBOUR_SHARE)
    return "is mostly runs like abcd, 1234 or qwerty";
  return undefined;
}

/** Why an encryption key is not random, in a few words; undefined when it may be. */
export function describeWeakKey(key: Uint8Array): string | undefined {
  const bytes = [...key];
  if (bytes.every((byte) => byte === 0)) return "all zero bytes";
  if (bytes.every((byte) => byte === bytes[0])) return "every byte the same";
  if (entropyBitsPerSymbol(bytes) < MIN_KEY_BITS_PER_BYTE) return "too few distinct byte values";
  if (repeatsShortPattern(bytes)) return "repeats a short byte pattern";
  if (neighbourShare(bytes, (a, b) => [0, 1, 255].includes((b - a + 256) % 256)) >= MAX_NEIGHBOUR_SHARE)
    return "mostly sequential bytes";
  return undefined;
}

function entropyBitsPerSymbol<T>(symbols: readonly T[]): number {
  const counts = new Map<T, number>();
  for (const symbol of symbols) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / symbols.length) * Math.log2(count / symbols.length);
  return bits;
}

function repeatsShortPattern<T>(symbols: readonly T[]): boolean {
  for (let period = 1; period <= symbols.length / 2; period++) {
    if (symbols.every((symbol, index) => index < period || symbol === symbols[index - period])) return true;
  }
  return false;
}

function neighbourShare<T>(symbols: readonly T[], areNeighbours: (a: T, b: T) => boolean): number {
  let neighbours = 0;
  symbols.forEach((symbol, index) => {
    if (index > 0 && areNeighbours(symbols[index - 1] as T, symbol)) neighbours++;
  });
  return neighbours / (symbols.length - 1);
}

function areNeighbourChars(a: string, b: string): boolean {
  const pair = (a + b).toLowerCase();
  const reversed = (b + a).toLowerCase();
  return (
    Math.abs((a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0)) <= 1 ||
    KEYBOARD_ROWS.some((row) => row.includes(pair) || row.includes(reversed))
  );
}
