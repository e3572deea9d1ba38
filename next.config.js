// @ts-check

/**
 * A message may carry 25 MB of attachments (lib/mail/compose.ts) plus its text and the form's overhead;
 * lib/http/server-action-body.ts mirrors this limit (a test keeps them equal). The proxy reads a body too,
 * and sees only its first proxyClientMaxBodySize bytes: a little more than the action limit, so a body
 * over it is measured as too large rather than cut into a malformed one.
 */
const ACTION_BODY_LIMIT = "30mb";

// Powerful features no Evergreen page uses, denied to every page and to anything it embeds. The CSP is
// per request (a nonce), so proxy.ts sends it (lib/http/content-security-policy.ts).
const PERMISSIONS_POLICY = [
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
].join(", ");

/**
 * The Dockerfile's build stage sets EVERGREEN_STANDALONE=1 for Next's standalone server (node server.js, its
 * config baked in). Elsewhere `next start` serves the build, and Next warns on every start of a standalone one.
 * NEXT_DEPLOYMENT_ID, read by Next itself at build time, names the build to every server that runs it.
 * @type {import("next").NextConfig}
 */
const standalone =
  process.env.EVERGREEN_STANDALONE === "1" ? { output: "standalone", outputFileTracingRoot: __dirname } : {};

/** @type {import("next").NextConfig} */
const nextConfig = {
  ...standalone,
  poweredByHeader: false,
  experimental: {
    serverActions: { bodySizeLimit: ACTION_BODY_LIMIT },
    proxyClientMaxBodySize: "31mb",
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
