import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { DEV_CLIENT } from "../seed";

export interface ReceivedSet {
  raw: string;
  headers: IncomingHttpHeaders;
  /** Set when the SET verified: RS256 by a JWKS key, the discovery issuer, the client id as audience. */
  payload?: JWTPayload & { events?: Record<string, Record<string, unknown>> };
  header?: ProtectedHeaderParameters;
  /** Why verification failed, as jose's error code. */
  error?: string;
  /** The only event's type URI and body, when verified. */
  eventType?: string;
  event?: Record<string, unknown>;
}

/** What to answer next: a status, or "hang" (never answer, so the emulator's timeout fires). */
export type ScriptedAnswer = number | "hang";

/**
 * A RISC receiver for the emulator's tests, as google-risc.md §2–3 describe one: verifies each SET against
 * the discovery document's issuer and JWKS without requiring `exp` or `typ`, answers 202, or 400 when
 * invalid, unless the test scripted another answer.
 */
export class SetReceiver {
  readonly received: ReceivedSet[] = [];
  readonly script: ScriptedAnswer[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(emulatorUrl: string, audience: string = DEV_CLIENT.id): Promise<SetReceiver> {
    const discovery = (await (await fetch(`${emulatorUrl}/.well-known/risc-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const verify = async (raw: string): Promise<Partial<ReceivedSet>> => {
      try {
        const { payload, protectedHeader } = await jwtVerify(raw, jwks, {
          issuer: discovery.issuer,
          audience,
          algorithms: ["RS256"],
        });
        return { payload, header: protectedHeader };
      } catch (error) {
        // SETs do not expire (§2.3): jose checks exp last, after the signature, issuer and audience.
        if (error instanceof errors.JWTExpired) return { payload: error.payload };
        return { error: error instanceof errors.JOSEError ? error.code : String(error) };
      }
    };
    let receiver: SetReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        void verify(raw).then((result) => {
          const [eventType, event] = Object.entries(result.payload?.events ?? {})[0] ?? [];
          receiver?.record({ raw, headers: req.headers, ...result, eventType, event });
          const scripted = receiver?.script.shift();
          if (scripted === "hang") return;
          res.writeHead(scripted ?? (result.payload ? 202 : 400)).end();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiver = new SetReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/risc`);
    return receiver;
  }

  /** The SETs that verified, in arrival order. */
  verified(): ReceivedSet[] {
    return this.received.filter((r) => r.payload);
  }

  /** Resolves once `count` SETs have arrived (verified or not). */
  async waitFor(count: number): Promise<ReceivedSet[]> {
    if (this.received.length < count) await new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    return this.received;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(set: ReceivedSet): void {
    this.received.push(set);
    for (const waiter of this.waiters.filter((w) => this.received.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}
