// `npm run db:migration -- <name>`: after an edit of prisma/schema.prisma, writes the migration for
// both databases under one folder name: the PostgreSQL schema is regenerated, each migration is
// diffed from its provider's committed migrations (PostgreSQL's on a throwaway server), checked to
// leave no drift, and both clients are regenerated. On any failure nothing is left behind.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startTemporaryPostgres } from "../test-support/postgres-server";
import { derivePgSchema, SOURCE, TARGET } from "./gen-pg-schema.mjs";

/** A refusal caused by the input or the project's state, not by a tool failing. */
export class MigrationRefused extends Error {}

const USAGE = "Usage: npm run db:migration -- <name>   (for example: npm run db:migration -- add_contacts)";
const NAME = /^[a-z][a-z0-9_]*$/;
const MAX_NAME_LENGTH = 80;

const PROVIDERS = {
  sqlite: { label: "SQLite", config: "prisma.config.ts", schema: SOURCE, migrations: "prisma/migrations" },
  postgresql: {
    label: "PostgreSQL",
    config: "prisma.pg.config.ts",
    schema: TARGET,
    migrations: "prisma/pg/migrations",
  },
} as const;
type Provider = (typeof PROVIDERS)[keyof typeof PROVIDERS];

export function checkMigrationName(args: string[]): string {
  if (args.length === 0) throw new MigrationRefused(`A migration name is required.\n${USAGE}`);
  if (args.length > 1)
    throw new MigrationRefused(
      `One migration name, please (got ${args.length} words: ${args.join(" ")}); join them with _.\n${USAGE}`,
    );
  const name = args[0]!;
  if (!NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    const suggestion = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^[_0-9]+|_+$/g, "")
      .slice(0, MAX_NAME_LENGTH);
    throw new MigrationRefused(
      `"${name}" is not a migration name: use at most ${MAX_NAME_LENGTH} lower-case letters, digits and underscores, starting with a letter` +
        (suggestion ? ` (for example ${suggestion}).` : "."),
    );
  }
  return name;
}

const formatTimestamp = (date: Date) => date.toISOString().replace(/\D/g, "").slice(0, 14);

/** Prisma's UTC `YYYYMMDDHHMMSS`, but always after the latest existing migration so the order holds. */
export function migrationTimestamp(now: Date, existing: string[]): string {
  const latest = existing
    .map((name) => /^(\d{14})_/.exec(name)?.[1])
    .filter((stamp) => stamp !== undefined)
    .sort()
    .at(-1);
  const candidate = formatTimestamp(now);
  if (latest === undefined || candidate > latest) return candidate;
  const [year, month, day, hour, minute, second] = latest
    .match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/)!
    .slice(1)
    .map(Number);
  return formatTimestamp(new Date(Date.UTC(year!, month! - 1, day, hour, minute, second! + 1)));
}

function listMigrations(root: string, provider: Provider): string[] {
  const folder = path.join(root, provider.migrations);
  if (!existsSync(folder))
    throw new MigrationRefused(`${provider.migrations} does not exist; run this from the project root.`);
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Both folders must hold the same migrations, or the new one would not mean the same on both sides. */
function committedMigrations(root: string): string[] {
  const sqlite = listMigrations(root, PROVIDERS.sqlite);
  const postgresql = listMigrations(root, PROVIDERS.postgresql);
  const onlySqlite = sqlite.filter((name) => !postgresql.includes(name));
  const onlyPostgresql = postgresql.filter((name) => !sqlite.includes(name));
  if (onlySqlite.length > 0 || onlyPostgresql.length > 0) {
    throw new MigrationRefused(
      `${PROVIDERS.sqlite.migrations} and ${PROVIDERS.postgresql.migrations} must hold the same migrations. ` +
        [
          onlySqlite.length > 0 && `Only in the first: ${onlySqlite.join(", ")}.`,
          onlyPostgresql.length > 0 && `Only in the second: ${onlyPostgresql.join(", ")}.`,
        ]
          .filter(Boolean)
          .join(" "),
    );
  }
  return sqlite;
}

// Lines the Prisma CLI writes for people; none of them may end up in a migration file.
const CLI_CHATTER =
  /^(Loaded Prisma config|Prisma schema loaded|Prisma config detected|Environment variables loaded|warn |WARNING)/m;

/** The SQL that takes the provider's committed migrations to its schema, or undefined when there is none. */
function diffMigrations(
  root: string,
  provider: Provider,
  env: Record<string, string> = {},
): Promise<string | undefined> {
  const args = [
    "--no",
    "prisma",
    "migrate",
    "diff",
    "--config",
    provider.config,
    "--from-migrations",
    provider.migrations,
    "--to-schema-datamodel",
    provider.schema,
    "--script",
    "--exit-code",
  ];
  return new Promise((resolve, reject) => {
    execFile(
      "npx",
      args,
      { cwd: root, env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // --exit-code: 0 = no difference, 2 = a difference (the SQL is on stdout), anything else = an error.
        if (!error) return resolve(undefined);
        if (error.code !== 2)
          return reject(new Error(`prisma migrate diff failed for ${provider.label}:\n${stderr}${stdout}`));
        if (CLI_CHATTER.test(stdout))
          return reject(new Error(`prisma migrate diff printed more than SQL for ${provider.label}:\n${stdout}`));
        resolve(stdout);
      },
    );
  });
}

export type CreatedMigration = { folder: string; files: string[]; seconds: number };

export async function createMigration(
  name: string,
  root = process.cwd(),
  log = console.log,
): Promise<CreatedMigration> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const existing = committedMigrations(root);

  writeFileSync(path.join(root, TARGET), derivePgSchema(readFileSync(path.join(root, SOURCE), "utf8")));
  log(`1/6 regenerated ${TARGET}`);

  const sqliteSql = await diffMigrations(root, PROVIDERS.sqlite);
  if (sqliteSql === undefined) {
    throw new MigrationRefused(
      `No difference detected between ${SOURCE} and ${PROVIDERS.sqlite.migrations}: edit the schema first. No migration was written.`,
    );
  }
  log(`2/6 diffed the SQLite migration (${elapsed()})`);

  const folder = `${migrationTimestamp(new Date(), existing)}_${name}`;
  const files = [PROVIDERS.sqlite, PROVIDERS.postgresql].map((provider) =>
    path.join(provider.migrations, folder, "migration.sql"),
  );
  const removeWritten = () =>
    files.forEach((file) => rmSync(path.join(root, path.dirname(file)), { recursive: true, force: true }));

  const server = await startTemporaryPostgres();
  // Ctrl-C must neither orphan the server nor leave a folder half written. The listener stays while
  // cleaning up: tsx relays the terminal's SIGINT, so a second one arrives and must not kill us midway.
  let cleaningUp = false;
  const interrupted = () => {
    if (cleaningUp) return;
    cleaningUp = true;
    removeWritten();
    try {
      server.stop();
    } finally {
      process.exit(130);
    }
  };
  process.on("SIGINT", interrupted).on("SIGTERM", interrupted);
  try {
    log(`3/6 started a throwaway ${server.version} (${elapsed()})`);
    const pgEnv = { PG_DATABASE_URL: server.url };
    const pgSql = await diffMigrations(root, PROVIDERS.postgresql, pgEnv);
    if (pgSql === undefined) {
      throw new Error(
        `SQLite has changes but PostgreSQL has none: ${PROVIDERS.postgresql.migrations} has drifted from ${TARGET}. No migration was written.`,
      );
    }
    try {
      for (const [file, sql] of [
        [files[0]!, sqliteSql],
        [files[1]!, pgSql],
      ] as const) {
        mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
        writeFileSync(path.join(root, file), sql);
      }
      // The new folders must take the committed migrations exactly to the schema (what CI checks).
      const leftOver = await Promise.all([
        diffMigrations(root, PROVIDERS.sqlite),
        diffMigrations(root, PROVIDERS.postgresql, pgEnv),
      ]);
      if (leftOver.some((sql) => sql !== undefined)) {
        throw new Error(
          "The new migration does not bring the database to the schema; nothing was kept. Report this with the schema change.",
        );
      }
    } catch (error) {
      removeWritten();
      throw error;
    }
    log(`4/6 diffed the PostgreSQL migration, wrote both, checked they leave no drift (${elapsed()})`);
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    server.stop();
  }
  log(`5/6 stopped PostgreSQL`);

  const generate = spawnSync("npm", ["run", "--silent", "db:generate"], { cwd: root, encoding: "utf8" });
  if (generate.status !== 0) {
    throw new Error(
      `The migration was written (${files.join(", ")}) but generating the clients failed; fix it and run \`npm run db:generate\`:\n${generate.stderr}${generate.stdout}`,
    );
  }
  log(`6/6 generated both clients (${elapsed()})`);
  // Prisma heads a migration that can lose data or fail on existing rows with a "Warnings:" comment.
  const warned = files.filter((file) => readFileSync(path.join(root, file), "utf8").includes("Warnings:"));
  if (warned.length > 0)
    log(`Prisma warns about existing data; read the comment at the top of ${warned.join(" and ")}.`);
  return { folder, files, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<number> {
  try {
    const created = await createMigration(checkMigrationName(process.argv.slice(2)));
    console.log(
      `\nCreated in ${created.seconds.toFixed(1)} s:\n  ${created.files.join("\n  ")}\nReview both, then commit them with prisma/schema.prisma and ${TARGET}.`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then((code) => process.exit(code));
}
