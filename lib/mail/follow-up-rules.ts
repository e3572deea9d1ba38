/**
 * Gmail's threading rule for a follow-up, without the database, so compose in the browser applies it
 * too (google-behavior.md §9.6): the send names the thread, In-Reply-To/References name a message of
 * it, and the subject is the thread's once "Re:"/"Fwd:" prefixes are set aside.
 */

/** In-Reply-To and References (RFC 5322 §3.6.4): the parent's References (else its In-Reply-To), then its own Message-ID. */
export function threadHeaders(source: { references: string[]; rfc822MessageId: string }) {
  return { inReplyTo: source.rfc822MessageId, references: [...source.references, source.rfc822MessageId] };
}

// Gmail's prefixes, in the languages its users meet most (Re, Fwd, Fw; German AW, WG).
const THREAD_PREFIX = /^((re|fwd?|aw|wg)\s*:\s*)+/i;

/** Whether two subjects belong to one Gmail thread. */
export function sameThreadSubject(a: string, b: string): boolean {
  const base = (subject: string) => subject.replace(THREAD_PREFIX, "").trim().toLowerCase();
  return base(a) === base(b);
}

/** The subject a follow-up starts with: the original's, with one "Re:". */
export function followUpSubject(subject: string): string {
  return /^re\s*:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`;
}
