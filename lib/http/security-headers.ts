/**
 * The headers next.config.js sends with every response (a test keeps the two equal), for the answers
 * Evergreen writes before Next.js sees a request (lib/http/forbidden-methods.ts). The CSP is per request
 * (lib/http/content-security-policy.ts) and HSTS depends on AUTH_URL (lib/http/request-guard.ts).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": [
    "accelerometer=()",
    "browsing-topics=()",
    "camera=()",
    "display-capture=()",
    "geolocation=()",
    "gyroscope=()",
    "hid=()",
    "magnetometer=()",
    "microphone=()",
    "midi=()",
    "payment=()",
    "serial=()",
    "usb=()",
  ].join(", "),
};
