import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "@/google-emulator/testing";
import type { EmulatorControl } from "@/google-emulator/control/client";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { answerSecurityEventRequest } from "@/lib/connection/risc-receiver";
import { linkGoogleAccount } from "@/lib/connection/sign-in";
import { createRiscStream, registerReceiver, RISC_RECEIVER_PATH } from "@/lib/google/risc-stream";
import { createSetVerifier } from "@/lib/google/risc";
import { googleEndpoints } from "@/lib/google/oauth";
import { DEV_RISC_SERVICE_ACCOUNT } from "@/lib/google/dev-service-account";
import type { AppDeps } from "@/lib/platform/deps";

/**
 * Evergreen's security-event receiver (answerSecurityEventRequest, as /api/google/risc runs it) on a
 * node:http server of its own, registered with the local Google's stream through the app's own stream
 * client: for database tests and the bench, without a Next.js build.
 */
export async function startSecurityEventReceiver(googleUrl: string, deps: Pick<AppDeps, "db" | "now">) {
  const verifier = createSetVerifier({
    configurationUrl: googleEndpoints(googleUrl).riscConfiguration,
    audiences: [DEV_CLIENT.id],
  });
  const load = { inFlight: 0, peak: 0 };
  const server = createServer((incoming, res) => {
    load.inFlight += 1;
    load.peak = Math.max(load.peak, load.inFlight);
    void (async () => {
      const request = new Request(`http://127.0.0.1${incoming.url ?? "/"}`, {
        method: incoming.method,
        headers: headersOf(incoming),
        body: incoming.method === "POST" ? new Uint8Array(await bodyOf(incoming)) : undefined,
      });
      const response = await answerSecurityEventRequest(request, deps, verifier, 0);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })()
      .catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      })
      .finally(() => (load.inFlight -= 1));
  });
  // Node's default accept queue (511) overflows when the bench's 1,000 SETs connect at once, and each
  // connection the kernel drops waits a second or more for its SYN to be resent.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 2048 }, resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${RISC_RECEIVER_PATH}`;
  const stream = createRiscStream({ api: googleEndpoints(googleUrl).riscApi, key: DEV_RISC_SERVICE_ACCOUNT });
  await registerReceiver(stream, url);
  return {
    url,
    /** Requests being answered now, and the most at once since the last call (for the bench). */
    load: () => {
      const seen = { ...load };
      load.peak = load.inFlight;
      return seen;
    },
    /** Closes the keep-alive connections no request is using, so that the next burst connects anew. */
    closeIdleConnections: () => server.closeIdleConnections(),
    /** Registers again, after the local Google was reset. */
    register: () => registerReceiver(stream, url),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
  return headers;
}

async function bodyOf(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A Google user of its own who connects Gmail to a new Evergreen user (openid and email granted, so Google sends events). */
export async function connectedGoogleUser(
  google: { url: string; control: EmulatorControl },
  deps: AppDeps,
  email: string,
) {
  const { sub } = await google.control.addUser({ email });
  const { tokens } = await connect(google.url, { prompt: "consent", account: email });
  const userId = (await deps.db.user.create({ data: { email } })).id;
  await linkGoogleAccount({ ...tokens, providerAccountId: sub, userId, type: "oidc", provider: "google" }, deps);
  return { email, sub, userId, refreshToken: tokens.refresh_token! };
}
