const AUTH = "https://www.googleapis.com/auth/";

export const USERINFO_EMAIL = `${AUTH}userinfo.email`;
export const USERINFO_PROFILE = `${AUTH}userinfo.profile`;
export const GMAIL_SEND = `${AUTH}gmail.send`;
export const GMAIL_METADATA = `${AUTH}gmail.metadata`;
export const FULL_MAIL = "https://mail.google.com/";

const SHORTHANDS: Record<string, string> = { email: USERINFO_EMAIL, profile: USERINFO_PROFILE };
const SIGN_IN = new Set(["openid", USERINFO_EMAIL, USERINFO_PROFILE]);

/** Scopes accepted by users.messages.send and users.getProfile, from Gmail's discovery document. */
export const SEND_SCOPES = [
  FULL_MAIL,
  `${AUTH}gmail.addons.current.action.compose`,
  `${AUTH}gmail.compose`,
  `${AUTH}gmail.modify`,
  GMAIL_SEND,
];
export const PROFILE_SCOPES = [
  FULL_MAIL,
  `${AUTH}gmail.compose`,
  `${AUTH}gmail.metadata`,
  `${AUTH}gmail.modify`,
  `${AUTH}gmail.readonly`,
];

/** Scopes accepted by users.threads.get, from Gmail's discovery document (not gmail.send, not gmail.compose). */
export const THREAD_SCOPES = [
  FULL_MAIL,
  `${AUTH}gmail.addons.current.message.action`,
  `${AUTH}gmail.addons.current.message.metadata`,
  `${AUTH}gmail.addons.current.message.readonly`,
  GMAIL_METADATA,
  `${AUTH}gmail.modify`,
  `${AUTH}gmail.readonly`,
];
/** Of those, the ones that may see bodies (format=full); the metadata scopes may not. */
export const THREAD_BODY_SCOPES = THREAD_SCOPES.filter((s) => !s.endsWith("metadata"));

const LABELS: Record<string, string> = {
  openid: "Associate you with your personal info on Google",
  [USERINFO_EMAIL]: "See your primary Google Account email address",
  [USERINFO_PROFILE]: "See your personal info, including any personal info you've made publicly available",
  [GMAIL_SEND]: "Send email on your behalf",
  [`${AUTH}gmail.readonly`]: "View your email messages and settings",
  [`${AUTH}gmail.compose`]: "Manage drafts and send emails",
  [`${AUTH}gmail.modify`]: "Read, compose, and send emails from your Gmail account",
  [GMAIL_METADATA]: "View your email message metadata such as labels and headers, but not the email body",
  [FULL_MAIL]: "Read, compose, send, and permanently delete all your email from Gmail",
};

export function normalizeScope(scope: string): string {
  return SHORTHANDS[scope] ?? scope;
}

export function normalizeScopes(scopes: Iterable<string>): string[] {
  return [...new Set([...scopes].map(normalizeScope))];
}

export function isSignInScope(scope: string): boolean {
  return SIGN_IN.has(normalizeScope(scope));
}

export function isKnownScope(scope: string): boolean {
  return (
    scope in SHORTHANDS ||
    scope === "openid" ||
    scope === FULL_MAIL ||
    /^https:\/\/www\.googleapis\.com\/auth\/[\w.-]+$/.test(scope)
  );
}

export function scopeLabel(scope: string): string {
  return LABELS[normalizeScope(scope)] ?? `Access ${scope}`;
}

export function hasIdentityScope(scopes: string[]): boolean {
  return scopes.some(isSignInScope);
}

/** Token responses list full URLs with openid last, as in Google's captures. */
export function formatGrantedScopes(scopes: string[]): string {
  const urls = normalizeScopes(scopes)
    .filter((s) => s !== "openid")
    .sort();
  return [...urls, ...(scopes.includes("openid") ? ["openid"] : [])].join(" ");
}

/** The redirect's `scope` repeats shorthands that were requested alongside their URL forms. */
export function formatRedirectScopes(granted: string[], requested: string[]): string {
  const shorthands = Object.entries(SHORTHANDS)
    .filter(([short, url]) => requested.includes(short) && granted.includes(url))
    .map(([short]) => short);
  return [...shorthands, formatGrantedScopes(granted)].join(" ");
}

/** Scopes a password change revokes tokens for (Workspace's "Gmail scopes"). */
export function isGmailScope(scope: string): boolean {
  return scope === FULL_MAIL || scope.startsWith(`${AUTH}gmail.`);
}
