/**
 * The draft being written, kept in this browser's localStorage per user so it survives a reload, a
 * crashed tab and the round trip to Google's reconnect screen. Attachments stay in memory only: files
 * can be large, and a browser cannot re-read a file from disk without the user picking it again.
 * Sign-out removes it, after asking, with everything else Evergreen keeps in the browser.
 */

export type RecipientField = "to" | "cc" | "bcc";

/** The sent email a follow-up answers (lib/mail/follow-up.ts): the send joins its Gmail thread. */
export type FollowUpOf = { id: string; subject: string; sentAt: string };

export type Draft = {
  to: string[];
  cc: string[];
  bcc: string[];
  /** What is typed in each recipient box and not yet a chip. */
  typing: Record<RecipientField, string>;
  showCc: boolean;
  showBcc: boolean;
  subject: string;
  body: string;
  schedule: { open: boolean; date: string; time: string };
  /**
   * One per message being written, so a double click or a replayed request finds the message already
   * queued. Kept per tab (sessionStorage, which survives the tab's reloads): a send whose answer was
   * lost finds the same row when retried, while a second tab opening the same saved draft writes a
   * message of its own.
   */
  idempotencyKey: string;
  /** Set when this is a follow-up, from a sent email's Follow up. */
  followUp?: FollowUpOf;
};

const VERSION = 1;
/** Every key Evergreen keeps in this browser starts with it, so sign-out can remove them all. */
const PREFIX = "evergreen.";
const storageKey = (userId: string) => `${PREFIX}compose-draft.v${VERSION}.${userId}`;
const tabKeyStorageKey = (userId: string) => `${PREFIX}compose-key.v${VERSION}.${userId}`;
const KEY_FORMAT = /^[A-Za-z0-9_-]{16,64}$/;
const SIGN_OUT_CHANNEL = `${PREFIX}sign-out`;

// Users who signed out in this page: an open composer saves as it unmounts, and must not write their draft back.
const signedOut = new Set<string>();
// The draft open in this page's composer: ahead of the saved one for a moment after each keystroke, and
// the only copy when the browser refuses storage.
let openDraft: { userId: string; current: () => Draft } | undefined;

/** 22 URL-safe characters of randomness; `crypto.getRandomValues` works on plain-http origins too. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function emptyDraft(): Draft {
  return {
    to: [],
    cc: [],
    bcc: [],
    typing: { to: "", cc: "", bcc: "" },
    showCc: false,
    showBcc: false,
    subject: "",
    body: "",
    schedule: { open: false, date: "", time: "" },
    idempotencyKey: newIdempotencyKey(),
  };
}

export function isBlank(draft: Draft): boolean {
  return (
    draft.to.length + draft.cc.length + draft.bcc.length === 0 &&
    !draft.typing.to.trim() &&
    !draft.typing.cc.trim() &&
    !draft.typing.bcc.trim() &&
    !draft.subject.trim() &&
    !draft.body.trim()
  );
}

/** The saved draft, with this tab's idempotency key (a new one in a tab that has none yet). */
export function loadDraft(userId: string): Draft | null {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey(userId)) ?? "null");
    if (!isDraft(stored)) return null;
    const tabKey = sessionStorage.getItem(tabKeyStorageKey(userId));
    return { ...stored, idempotencyKey: tabKey && KEY_FORMAT.test(tabKey) ? tabKey : newIdempotencyKey() };
  } catch {
    return null;
  }
}

/**
 * Stores the draft, or forgets it when there is nothing in it. False when nothing was stored: the browser
 * refused (full, private mode), or the user signed out in this browser.
 */
export function saveDraft(userId: string, draft: Draft): boolean {
  if (signedOut.has(userId)) return false;
  try {
    sessionStorage.setItem(tabKeyStorageKey(userId), draft.idempotencyKey);
    if (isBlank(draft)) localStorage.removeItem(storageKey(userId));
    else localStorage.setItem(storageKey(userId), JSON.stringify(draft));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(userId: string): void {
  try {
    localStorage.removeItem(storageKey(userId));
  } catch {
    // Nothing stored, or storage is unavailable: either way there is no draft left.
  }
}

/** Lets sign-out see the open composer's draft, last keystrokes included. */
export function registerOpenDraft(userId: string, current: () => Draft): () => void {
  const entry = { userId, current };
  openDraft = entry;
  return () => {
    if (openDraft === entry) openDraft = undefined;
  };
}

/** The draft signing out would discard: the open composer's, else the saved one. */
export function unsentDraft(userId: string): Draft | null {
  const draft = openDraft?.userId === userId ? openDraft.current() : loadDraft(userId);
  return draft && !isBlank(draft) ? draft : null;
}

/**
 * Removes everything Evergreen keeps in this browser (every user's drafts, this tab's idempotency keys),
 * so the next person at a shared computer finds nothing, and stops this page and the user's other tabs
 * writing their draft again.
 */
export function forgetThisBrowser(userId: string): void {
  forgetInThisTab(userId);
  try {
    const channel = new BroadcastChannel(SIGN_OUT_CHANNEL);
    channel.postMessage(userId);
    channel.close();
  } catch {
    // No BroadcastChannel: other tabs find out at their next request.
  }
}

/** Makes this tab forget too when the user signs out in another tab of this browser. */
export function followSignOutElsewhere(userId: string): () => void {
  if (typeof BroadcastChannel === "undefined") return () => {};
  const channel = new BroadcastChannel(SIGN_OUT_CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    if (event.data === userId) forgetInThisTab(userId);
  };
  return () => channel.close();
}

function forgetInThisTab(userId: string): void {
  signedOut.add(userId);
  for (const storage of browserStorages()) {
    const keys = Array.from({ length: storage.length }, (_, index) => storage.key(index));
    for (const key of keys) if (key?.startsWith(PREFIX)) storage.removeItem(key);
  }
}

// A browser that refuses storage (private mode, a policy) throws on access: then it holds nothing of ours.
function browserStorages(): Storage[] {
  const storages: Storage[] = [];
  for (const get of [() => localStorage, () => sessionStorage]) {
    try {
      storages.push(get());
    } catch {
      // Unavailable: nothing stored there.
    }
  }
  return storages;
}

/** A draft in a few words, for questions about it: its subject and first recipients. */
export function describeDraft(draft: Draft): string {
  const recipients = [...draft.to, ...draft.cc, ...draft.bcc];
  const shown = recipients.slice(0, 2).join(", ");
  const more = recipients.length > 2 ? ` and ${recipients.length - 2} more` : "";
  return `“${draft.subject.trim() || "(no subject)"}”${shown ? ` to ${shown}${more}` : ""}`;
}

const strings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

// Another version of Evergreen, or another tab mid-write, may have left something else under the key.
function isDraft(value: unknown): value is Draft {
  if (typeof value !== "object" || value === null) return false;
  const draft = value as Record<string, unknown>;
  const typing = draft.typing as Record<string, unknown> | null;
  const schedule = draft.schedule as Record<string, unknown> | null;
  return (
    strings(draft.to) &&
    strings(draft.cc) &&
    strings(draft.bcc) &&
    typeof typing === "object" &&
    typing !== null &&
    ["to", "cc", "bcc"].every((field) => typeof typing[field] === "string") &&
    typeof draft.showCc === "boolean" &&
    typeof draft.showBcc === "boolean" &&
    typeof draft.subject === "string" &&
    typeof draft.body === "string" &&
    typeof schedule === "object" &&
    schedule !== null &&
    typeof schedule.open === "boolean" &&
    typeof schedule.date === "string" &&
    typeof schedule.time === "string" &&
    typeof draft.idempotencyKey === "string" &&
    KEY_FORMAT.test(draft.idempotencyKey) &&
    (draft.followUp === undefined || isFollowUpOf(draft.followUp))
  );
}

function isFollowUpOf(value: unknown): value is FollowUpOf {
  const followUp = value as Record<string, unknown> | null;
  return (
    typeof followUp === "object" &&
    followUp !== null &&
    ["id", "subject", "sentAt"].every((field) => typeof followUp[field] === "string")
  );
}
