// `npm run db:seed`: demo contacts with a little email history for every user who has no contacts yet
// (sign in once first: users come from Google sign-in). Refuses a production database unless asked
// with --production, so real data never gets demo rows by accident.
import { getDb } from "../lib/platform/db";
import { migrateDatabase } from "../lib/platform/db-migrations";
import { seedDemoData } from "../lib/crm/demo-data";
import { getEnv } from "../lib/platform/env";

async function main() {
  const env = getEnv();
  if (env.isProduction && !process.argv.includes("--production")) {
    console.error(
      "db:seed: this is a production configuration; demo data is added only with `npm run db:seed -- --production`.",
    );
    process.exit(1);
  }
  await migrateDatabase(env.database);
  const users = await getDb().user.findMany({ select: { id: true, email: true } });
  if (users.length === 0) console.log("db:seed: no users yet. Run `npm run dev`, sign in once, then run this again.");
  for (const user of users) {
    const added = await seedDemoData(user.id);
    console.log(`db:seed: ${user.email ?? user.id}: ${added.contacts} contacts, ${added.messages} sent messages added`);
  }
  await getDb().$disconnect();
}

main().catch((error: unknown) => {
  console.error(`db:seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
