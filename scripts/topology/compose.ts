import { readFileSync } from "node:fs";
import path from "node:path";
import { readYaml } from "@/test-support/yaml-subset";

/**
 * What compose.yaml runs, read from compose.yaml itself, so the topology starts the same commands with
 * the same variables: the migrate service's and the worker's commands, and the environment every
 * Evergreen service shares. App servers run the image's `node server.js` (Next's standalone build of
 * `next start`); here they run `npm start` on the build in `.next`.
 */

type Service = { command?: string[]; environment?: Record<string, string> };

export type ComposeLayout = {
  migrate: string[];
  worker: string[];
  /** The app servers' environment with compose's ${…} filled in. */
  appEnvironment: Record<string, string>;
  workerEnvironment: Record<string, string>;
};

/**
 * Variables the topology sets beyond compose's, each for a reason: the local Google instead of Google,
 * and a short outbox lease so a worker killed mid-send is taken over within the run.
 */
export const TOPOLOGY_ONLY_VARIABLES = ["GOOGLE_BASE_URL", "ALLOW_GOOGLE_EMULATOR", "OUTBOX_LEASE_SECONDS"] as const;

/** The Dockerfile's runtime ENV that the processes read (PORT and HOSTNAME are each server's own here). */
export const RUNTIME_ENVIRONMENT = { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" } as const;

export type Place = { databaseUrl: string; emulatorUrl: string; outboxLeaseSeconds: number };

/** A process's environment: the image's, compose's with DATABASE_URL naming this PostgreSQL (compose's host is `postgres`), and the topology's own. */
export function topologyEnvironment(
  layout: ComposeLayout,
  kind: "app" | "worker",
  place: Place,
): Record<string, string> {
  return {
    ...RUNTIME_ENVIRONMENT,
    ...(kind === "app" ? layout.appEnvironment : layout.workerEnvironment),
    DATABASE_URL: place.databaseUrl,
    GOOGLE_BASE_URL: place.emulatorUrl,
    ALLOW_GOOGLE_EMULATOR: "true",
    OUTBOX_LEASE_SECONDS: String(place.outboxLeaseSeconds),
  } satisfies Record<(typeof TOPOLOGY_ONLY_VARIABLES)[number], string> & Record<string, string>;
}

/** compose's ${NAME:?message}, ${NAME:-default} and ${NAME}, filled from `settings`. */
export function interpolate(value: string, settings: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    if (name in settings) return settings[name]!;
    if (kind === "-") return rest!;
    throw new Error(`compose.yaml needs ${name}; give it a value`);
  });
}

function fill(environment: Record<string, string> | undefined, settings: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(environment ?? {}).map(([name, value]) => [name, interpolate(value, settings)]),
  );
}

export function readComposeLayout(settings: Record<string, string>, root = process.cwd()): ComposeLayout {
  const compose = readYaml(readFileSync(path.join(root, "compose.yaml"), "utf8")) as {
    services: Record<string, Service>;
  };
  const { migrate, worker, app1, app2 } = compose.services;
  if (!migrate?.command || !worker?.command || !app1 || !app2)
    throw new Error("compose.yaml no longer has migrate and worker commands and app1 and app2");
  const appEnvironment = fill(app1.environment, settings);
  if (JSON.stringify(appEnvironment) !== JSON.stringify(fill(app2.environment, settings)))
    throw new Error("compose.yaml's app1 and app2 differ; the topology runs two of one");
  return {
    migrate: migrate.command,
    worker: worker.command,
    appEnvironment,
    workerEnvironment: fill(worker.environment, settings),
  };
}
