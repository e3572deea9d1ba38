import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES, EnvError, parseEnv } from "@/lib/platform/env";
import { readYaml } from "@/test-support/yaml-subset";
import {
  interpolate,
  readComposeLayout,
  RUNTIME_ENVIRONMENT,
  TOPOLOGY_ONLY_VARIABLES,
  topologyEnvironment,
} from "./topology/compose";

// Docker cannot run here, so this keeps the deployment files honest with the code: the Dockerfile,
// compose.yaml, deploy/ and package.json name the same commands, and only variables something reads.

const read = (file: string) => readFileSync(path.join(process.cwd(), file), "utf8");

/**
 * Variables the deployment files may set that Evergreen's code does not read (lib/platform/env.ts reads
 * the rest): each with the file that reads it and what it says there, checked below.
 */
const READ_ELSEWHERE: Record<string, { file: string; reads: string }> = {
  PORT: { file: "node_modules/next/dist/build/utils.js", reads: "process.env.PORT" },
  HOSTNAME: { file: "node_modules/next/dist/build/utils.js", reads: "process.env.HOSTNAME" },
  KEEP_ALIVE_TIMEOUT: { file: "node_modules/next/dist/build/utils.js", reads: "process.env.KEEP_ALIVE_TIMEOUT" },
  NEXT_DEPLOYMENT_ID: { file: "node_modules/next/dist/server/config.js", reads: "process.env.NEXT_DEPLOYMENT_ID" },
  NEXT_TELEMETRY_DISABLED: { file: "node_modules/next/dist/telemetry/storage.js", reads: "NEXT_TELEMETRY_DISABLED" },
  CHECKPOINT_DISABLE: { file: "node_modules/prisma/build/index.js", reads: "CHECKPOINT_DISABLE" },
  EVERGREEN_STANDALONE: { file: "next.config.js", reads: 'process.env.EVERGREEN_STANDALONE === "1"' },
};

/** Values for what compose.yaml takes from .env, as deploy/env.example says to make them. */
const SAMPLE_SETTINGS: Record<string, string> = {
  POSTGRES_PASSWORD: randomBytes(24).toString("hex"),
  AUTH_URL: "https://crm.example.com",
  AUTH_SECRET: randomBytes(32).toString("base64"),
  AUTH_GOOGLE_ID: "123-abc.apps.googleusercontent.com",
  AUTH_GOOGLE_SECRET: `GOCSPX-${randomBytes(12).toString("hex")}`,
  TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};

type Service = {
  image?: string;
  build?: { args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
};

const composeText = read("compose.yaml");
const services = (readYaml(composeText) as { services: Record<string, Service> }).services;
const evergreenServices = Object.entries(services).filter(([, service]) => service.image?.startsWith("evergreen:"));
const appServers = evergreenServices.filter(([, service]) => !service.command);
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

type Instruction = { keyword: string; args: string };

/** The Dockerfile's instructions per stage (continuation lines joined, comments dropped). */
function dockerStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const joined = text.replace(/\\\n\s*/g, "").split("\n");
  for (const line of joined.map((raw) => raw.trim()).filter((raw) => raw && !raw.startsWith("#"))) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword === "FROM") stages.push([]);
    stages.at(-1)?.push({ keyword, args });
  }
  return stages;
}

const stages = dockerStages(read("Dockerfile"));
const runtime = stages.at(-1)!;
const argsOf = (stage: Instruction[], keyword: string) =>
  stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

function envOf(stage: Instruction[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const args of argsOf(stage, "ENV")) {
    for (const pair of args.split(/\s+/)) {
      const [name, ...value] = pair.split("=");
      expect(value.length, `ENV ${pair} is KEY=value`).toBeGreaterThan(0);
      variables[name!] = value.join("=");
    }
  }
  return variables;
}

describe("the commands", () => {
  it("the image runs Next's standalone server, which its build stage makes", () => {
    expect(JSON.parse(argsOf(runtime, "CMD")[0]!)).toEqual(["node", "server.js"]);
    expect(argsOf(runtime, "COPY")).toContain("--from=build /app/.next/standalone/server.js ./server.js");
    const build = stages.find((stage) => stage[0]!.args.endsWith(" AS build"))!;
    expect(argsOf(build, "RUN")).toEqual(["npm run build"]);
    expect(scripts.build).toMatch(/next build/);
    expect(envOf(build)).toMatchObject({ EVERGREEN_STANDALONE: "1" });
  });

  it("compose migrates with npm run db:deploy, works with npm run worker, and serves with the image's command", () => {
    const commands = Object.fromEntries(evergreenServices.map(([name, service]) => [name, service.command ?? null]));
    expect(commands).toEqual({
      migrate: ["npm", "run", "db:deploy"],
      app1: null,
      app2: null,
      worker: ["npm", "run", "worker"],
    });
  });

  it("package.json has those scripts, the worker's exec'd so SIGTERM reaches it through npm", () => {
    expect(scripts["db:deploy"]).toBe("tsx scripts/db-migrate.ts");
    expect(scripts.worker).toBe("exec tsx scripts/worker.ts");
    expect(scripts.start).toMatch(/\bexec next start\b/);
    for (const script of ["scripts/db-migrate.ts", "scripts/worker.ts"]) expect(existsSync(script)).toBe(true);
  });

  it("the Dockerfile's runtime stage holds what those scripts run: package.json, the code and the migrations", () => {
    const copied = argsOf(runtime, "COPY").join("\n");
    for (const part of ["/app/package.json", "/app/lib ./lib", "/app/prisma ./prisma", "/app/scripts ./scripts"])
      expect(copied).toContain(part);
  });

  it("the Dockerfile and the guide name the same commands", () => {
    const guide = read("docs/deploying.md");
    for (const command of ["npm run db:deploy", "npm run worker", "node server.js"]) {
      expect(read("Dockerfile")).toContain(command);
      expect(guide).toContain(command);
    }
  });
});

describe("the variables", () => {
  it("every one the deployment sets is one lib/platform/env.ts reads, or one read elsewhere as named", () => {
    const readable = new Set([...ENV_VARIABLES, ...Object.keys(READ_ELSEWHERE)]);
    const set = [
      ...stages.flatMap((stage) => Object.keys(envOf(stage))),
      ...evergreenServices.flatMap(([, service]) => Object.keys(service.build?.args ?? {})),
    ];
    expect(set.filter((name) => !readable.has(name))).toEqual([]);
    const serviceVariables = evergreenServices.flatMap(([, service]) => Object.keys(service.environment ?? {}));
    expect(serviceVariables.filter((name) => !ENV_VARIABLES.includes(name))).toEqual([]);
    for (const [name, { file, reads }] of Object.entries(READ_ELSEWHERE))
      expect(read(file), `${name} is read by ${file}`).toContain(reads);
  });

  it("every build argument compose passes is one the Dockerfile declares", () => {
    const declared = stages.flatMap((stage) => argsOf(stage, "ARG")).map((arg) => arg.split("=")[0]);
    for (const [, service] of evergreenServices)
      for (const name of Object.keys(service.build?.args ?? {})) expect(declared).toContain(name);
  });

  it("every service sets each variable production requires, and production accepts what they set", () => {
    let required: string[] = [];
    try {
      parseEnv({ NODE_ENV: "production" }, mkdtempSync(path.join(tmpdir(), "evergreen-deploy-")));
    } catch (error) {
      if (!(error instanceof EnvError)) throw error;
      required = error.problems.map((problem) => problem.split(":")[0]!);
    }
    expect(required).toEqual(expect.arrayContaining(["AUTH_SECRET", "TOKEN_ENCRYPTION_KEYS", "AUTH_GOOGLE_ID"]));
    for (const [name, service] of evergreenServices) {
      expect(Object.keys(service.environment ?? {}), name).toEqual(expect.arrayContaining(required));
      const variables = { ...envOf(runtime), ...service.environment };
      const env = parseEnv(
        Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, interpolate(value, SAMPLE_SETTINGS)])),
        mkdtempSync(path.join(tmpdir(), "evergreen-deploy-")),
      );
      expect({ name, provider: env.database.provider, production: env.isProduction }).toEqual({
        name,
        provider: "postgresql",
        production: true,
      });
    }
  });

  it("every setting compose.yaml takes from .env is in deploy/env.example", () => {
    const taken = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((match) => match[1]!));
    const example = [...read("deploy/env.example").matchAll(/^(\w+)=/gm)].map((match) => match[1]!);
    expect([...taken].sort()).toEqual([...example].sort());
  });
});

describe("many servers", () => {
  it("the two app servers are one build with the same settings; they skip migrating and leave the jobs to the worker", () => {
    expect(appServers.map(([name]) => name)).toEqual(["app1", "app2"]);
    expect(services.app1).toEqual(services.app2);
    for (const [, service] of evergreenServices.filter(([name]) => name !== "migrate")) {
      expect(service.environment).toMatchObject({ MIGRATE_ON_START: "false", BACKGROUND_JOBS: "off" });
      expect(service.depends_on).toEqual({ migrate: { condition: "service_completed_successfully" } });
    }
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(services.postgres!.healthcheck?.test?.join(" ")).toMatch(/pg_isready/);
  });

  it("nginx balances both app servers on the image's port and passes the X-Forwarded headers", () => {
    const nginx = read("deploy/nginx.conf");
    const port = envOf(runtime).PORT;
    for (const [name] of appServers) expect(nginx).toMatch(new RegExp(`^\\s*server ${name}:${port}\\b`, "m"));
    for (const header of ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"])
      expect(nginx).toMatch(new RegExp(`proxy_set_header ${header} `));
    expect(services.nginx!.volumes).toContain("./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro");
  });

  it("the image checks it is live, app servers that they are ready, and both endpoints exist", () => {
    expect(argsOf(runtime, "HEALTHCHECK").join(" ")).toContain("/api/health/live");
    for (const [, service] of appServers) expect(service.healthcheck?.test?.join(" ")).toContain("/api/health/ready");
    for (const [name] of evergreenServices.filter(([, service]) => service.command))
      expect(services[name]!.healthcheck, name).toEqual({ disable: "true" });
    for (const route of ["live", "ready"]) expect(existsSync(`app/api/health/${route}/route.ts`)).toBe(true);
  });
  it("the topology (scripts/topology.ts) runs compose's commands with compose's variables, and adds only what it names", () => {
    const layout = readComposeLayout(SAMPLE_SETTINGS);
    expect(layout.migrate).toEqual(services.migrate!.command);
    expect(layout.worker).toEqual(services.worker!.command);
    const place = {
      databaseUrl: "postgresql://127.0.0.1:5432/x",
      emulatorUrl: "http://127.0.0.1:4410",
      outboxLeaseSeconds: 15,
    };
    for (const [name, service] of evergreenServices.filter(([name]) => name !== "migrate")) {
      const compose = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(value, SAMPLE_SETTINGS)]),
      );
      const topology = topologyEnvironment(layout, service.command ? "worker" : "app", place);
      const { DATABASE_URL: _ours, ...same } = topology;
      const { DATABASE_URL: _theirs, ...expected } = compose;
      expect(same, name).toMatchObject(expected);
      const added = Object.keys(topology).filter((key) => !(key in compose));
      expect(added.sort(), name).toEqual([...TOPOLOGY_ONLY_VARIABLES, ...Object.keys(RUNTIME_ENVIRONMENT)].sort());
    }
    expect(envOf(runtime)).toMatchObject(RUNTIME_ENVIRONMENT);
    for (const variable of TOPOLOGY_ONLY_VARIABLES) expect(ENV_VARIABLES).toContain(variable);
    // The app servers run `npm start` (next start of the build), the image's node server.js being its standalone form.
    expect(read("scripts/topology/cluster.ts")).toMatch(/"npm",\s*\["start", "--"/);
  });
});
