#!/usr/bin/env node
// Derives prisma/pg/schema.prisma from prisma/schema.prisma (the source of truth), so the two
// databases share one set of models. `--check` fails when the committed PG schema is stale.
import { readFileSync, writeFileSync, existsSync } from "node:fs";

const SOURCE = "prisma/schema.prisma";
const TARGET = "prisma/pg/schema.prisma";

export function derivePgSchema(sqliteSchema) {
  const replaced = sqliteSchema
    .replace('output     = "../lib/generated/sqlite"', 'output     = "../../lib/generated/pg"')
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('url      = env("DATABASE_URL")', 'url      = env("PG_DATABASE_URL")')
    .replace(/^\/\/ Source of truth.*\n\/\/ .*\n/m, "// GENERATED from prisma/schema.prisma by scripts/gen-pg-schema.mjs. Do not edit.\n");
  for (const marker of ['"../../lib/generated/pg"', '"postgresql"', 'env("PG_DATABASE_URL")', "GENERATED"]) {
    if (!replaced.includes(marker)) throw new Error(`gen-pg-schema: could not rewrite ${marker} in ${SOURCE}`);
  }
  return replaced;
}

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
