#!/usr/bin/env node
// Derives prisma/pg/schema.prisma from prisma/schema.prisma (the source of truth), so the two
// databases share one set of models. `--check` fails when the committed PG schema is stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const SOURCE = "prisma/schema.prisma";
export const TARGET = "prisma/pg/schema.prisma";
const HEADER = "// GENERATED from prisma/schema.prisma by scripts/gen-pg-schema.mjs. Do not edit.\n";

const BLOCK_START = /^\s*(generator|datasource)\s+(\w+)\s*\{/;
// `key = value` with any spacing, keeping everything around the value (alignment, trailing comment).
const SETTING = /^(\s*(\w+)\s*=\s*)("[^"]*"|env\(\s*"[^"]*"\s*\))(.*)$/;

/** The PostgreSQL client's output folder: a `pg` sibling of the SQLite one, relative to prisma/pg/. */
function pgOutput(sqliteOutput) {
  const generatedRoot = path.posix.dirname(path.posix.join(path.posix.dirname(SOURCE), sqliteOutput));
  return path.posix.relative(path.posix.dirname(TARGET), path.posix.join(generatedRoot, "pg"));
}

// Each setting to rewrite: the value the SQLite schema must have (or any, for output) and its PG value.
const REWRITES = {
  "generator client": { output: (value) => JSON.stringify(pgOutput(JSON.parse(value))) },
  "datasource db": {
    provider: (value) => (value === '"sqlite"' ? '"postgresql"' : undefined),
    url: (value) => (value.replace(/\s/g, "") === 'env("DATABASE_URL")' ? 'env("PG_DATABASE_URL")' : undefined),
  },
};

export function derivePgSchema(sqliteSchema) {
  const lines = sqliteSchema.split("\n");
  const pending = new Set(
    Object.entries(REWRITES).flatMap(([block, keys]) => Object.keys(keys).map((key) => `${block}.${key}`)),
  );
  let block;
  const body = lines.map((line) => {
    if (block === undefined) {
      const start = BLOCK_START.exec(line);
      if (start) block = `${start[1]} ${start[2]}`;
      return line;
    }
    if (/^\s*\}/.test(line)) {
      block = undefined;
      return line;
    }
    const setting = SETTING.exec(line);
    const rewrite = setting && REWRITES[block]?.[setting[2]];
    if (!rewrite) return line;
    const [, before, key, value, after] = setting;
    const replaced = rewrite(value);
    if (replaced === undefined)
      throw new Error(`gen-pg-schema: ${block} has ${key} = ${value} in ${SOURCE}; expected the SQLite default`);
    pending.delete(`${block}.${key}`);
    return `${before}${replaced}${after}`;
  });
  if (pending.size > 0) throw new Error(`gen-pg-schema: could not find ${[...pending].join(", ")} in ${SOURCE}`);
  // The source's opening comment speaks for the source; the PG schema gets its own.
  const firstCode = body.findIndex((line) => !line.startsWith("//"));
  return HEADER + body.slice(firstCode).join("\n");
}

function main() {
  const wanted = derivePgSchema(readFileSync(SOURCE, "utf8"));
  if (process.argv.includes("--check")) {
    const current = existsSync(TARGET) ? readFileSync(TARGET, "utf8") : "";
    if (current !== wanted) {
      console.error(`${TARGET} is stale: run \`node scripts/gen-pg-schema.mjs\` and commit the result.`);
      process.exit(1);
    }
    console.log(`${TARGET} matches ${SOURCE}.`);
  } else {
    writeFileSync(TARGET, wanted);
    console.log(`wrote ${TARGET}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
