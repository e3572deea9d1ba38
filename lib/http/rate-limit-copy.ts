// What a refused attempt tells the user. Pure strings, so the compose and sign-in forms can recognise
// the text of a 429 answer (Next.js hands a text/plain error body to the caller as the error message).

const PREFIX = "Too many ";

function wait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

export function sendLimitMessage(retryAfterSeconds: number): string {
  return `${PREFIX}emails in one minute: you can send again in ${wait(retryAfterSeconds)}. Your draft is kept.`;
}

export function signInLimitMessage(retryAfterSeconds: number): string {
  return `${PREFIX}sign-in attempts from your network: try again in ${wait(retryAfterSeconds)}.`;
}

export function isRateLimitMessage(text: unknown): text is string {
  return typeof text === "string" && text.startsWith(PREFIX);
}
