import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { derivePgSchema } from "./gen-pg-schema.mjs";

const source = readFileSync("prisma/schema.prisma", "utf8");
const model = `model Account {
  id       String @id
  provider String
  url      String
  output   String
}
`;

describe("derivePgSchema", () => {
  it("derives the committed PostgreSQL schema from the committed SQLite one", () => {
    expect(derivePgSchema(source)).toBe(readFileSync("prisma/pg/schema.prisma", "utf8"));
  });

  it("rewrites provider, url and output however `prisma format` aligned them", () => {
    // What `npx prisma format` writes once a longer key joins the generator block.
    const formatted = `generator client {
  provider        = "prisma-client"
  previewFeatures = ["relationJoins"]
  output          = "../lib/generated/sqlite"
  engineType      = "client"
}

datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL") // the SQLite file
}

${model}`;
    expect(derivePgSchema(formatted))
      .toBe(`// GENERATED from prisma/schema.prisma by scripts/gen-pg-schema.mjs. Do not edit.
generator client {
  provider        = "prisma-client"
  previewFeatures = ["relationJoins"]
  output          = "../../lib/generated/pg"
  engineType      = "client"
}

datasource db {
  provider = "postgresql"
  url      = env("PG_DATABASE_URL") // the SQLite file
}

${model}`);
  });

  it("accepts hand-typed spacing and leaves same-named model fields alone", () => {
    const odd = `// Source of truth.

datasource   db{
\tprovider="sqlite"
    url =env( "DATABASE_URL" )
}
generator client {
output="../lib/generated/sqlite"
  provider = "prisma-client"
}
${model}`;
    expect(derivePgSchema(odd)).toBe(`// GENERATED from prisma/schema.prisma by scripts/gen-pg-schema.mjs. Do not edit.

datasource   db{
\tprovider="postgresql"
    url =env("PG_DATABASE_URL")
}
generator client {
output="../../lib/generated/pg"
  provider = "prisma-client"
}
${model}`);
  });

  it("refuses a schema it cannot translate instead of writing a wrong one", () => {
    const mysql = source.replace(/provider = "sqlite"/, 'provider = "mysql"');
    expect(() => derivePgSchema(mysql)).toThrow(/datasource db has provider = "mysql"/);
    const noUrl = source.replace(/^\s*url\s*=.*\n/m, "");
    expect(() => derivePgSchema(noUrl)).toThrow(/could not find datasource db.url/);
  });
});
