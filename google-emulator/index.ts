import type { AddressInfo } from "node:net";
import type { Clock } from "./clock";
import { DEFAULT_CONFIG, mergeConfig, type EmulatorConfig } from "./config";
import type { EmulatorContext } from "./context";
import { exportSigningKey, generateSigningKey, loadSigningKey } from "./oauth2/signing-key";
import { readSnapshot, restoreSnapshot, StateFileWriter } from "./persistence";
import { SetDelivery } from "./risc/delivery";
import { DEV_CLIENT, seedClients, seedServiceAccounts, seedUsers, type SeedOptions } from "./seed";
import { createEmulatorServer } from "./server";
import { EmulatorState } from "./state";

export type { EmulatorConfig } from "./config";
export type { Fault, FaultEndpoint } from "./control/faults";
export type { Client, User } from "./state";
export type { SeedOptions } from "./seed";

export interface GoogleEmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Seed the dev users, DEV_CLIENT and the development RISC service account (default true). */
  seed?: boolean;
  /** Persist users, clients, grants, tokens, messages and the signing key here as JSON. */
  stateFile?: string;
  config?: Partial<EmulatorConfig>;
  /** Adjustments to the seeded DEV_CLIENT (extra redirect URIs, publishing status). */
  devClient?: SeedOptions;
  /** The clock every expiry reads; pass one to share it (the soak moves the app's clock with it). */
  clock?: Clock;
}

export interface GoogleEmulator {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:4010; also the issuer. */
  url: string;
  close(): Promise<void>;
  reset(): Promise<void>;
}

export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const host = options.host ?? "127.0.0.1";
  const initialConfig = mergeConfig(DEFAULT_CONFIG, options.config);
  const snapshot = options.stateFile ? readSnapshot(options.stateFile) : undefined;
  const key = snapshot ? loadSigningKey(snapshot.signingKeyPem) : generateSigningKey();
  const state = new EmulatorState(options.clock);
  const riscDelivery = new SetDelivery(() => state.config);

  const applySeed = () => {
    if (options.seed === false) return;
    for (const user of seedUsers()) if (!state.users.has(user.sub)) state.addUser(user);
    // The dev client always reflects the current flags, even over a saved copy.
    for (const client of seedClients(options.devClient)) state.addClient(client);
    for (const account of seedServiceAccounts(state.projectOf(DEV_CLIENT.id))) state.risc.addServiceAccount(account);
  };
  const resetToSeed = () => {
    riscDelivery.reset();
    state.clear();
    state.config = { ...initialConfig };
    applySeed();
  };

  resetToSeed();
  if (snapshot) {
    restoreSnapshot(state, snapshot);
    applySeed();
  }

  const writer = options.stateFile ? new StateFileWriter(options.stateFile, state, exportSigningKey(key)) : undefined;
  const ctx: EmulatorContext = { state, key, baseUrl: "", riscDelivery };
  const server = createEmulatorServer(ctx, { reset: resetToSeed, afterRequest: () => writer?.schedule() });
  // Google's front ends keep an idle connection open far longer than a client does. Node's 5 s default
  // would close one while a client (undici keeps it 3 s, by a timer with 1 s of slack) sends on it:
  // ECONNRESET, a failure real Google does not cause. So the client always closes first.
  server.keepAliveTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  ctx.baseUrl = `http://${urlHost}:${port}`;
  writer?.flush();

  return {
    url: ctx.baseUrl,
    async reset() {
      resetToSeed();
      writer?.schedule();
    },
    async close() {
      riscDelivery.close();
      writer?.flush();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
