import { randomBytes } from "node:crypto";
import { benchDatabases } from "./databases";
import { DEV_GOOGLE_CLIENT } from "@/lib/google/dev-client";
import { getConnection } from "@/lib/connection/status";
import { getContact, listContacts, searchTextOf, type ContactValues } from "@/lib/crm/contacts";
import { listContactMessages } from "@/lib/crm/timeline";
import { getDashboard } from "@/lib/crm/dashboard";
import { createDb, databaseProvider, type Db, type MessageStatus } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import { recipientRows } from "@/lib/mail/messages";
import type { AppDeps } from "@/lib/platform/deps";
import type { Env } from "@/lib/platform/env";
import { googleGateway } from "@/lib/google/gateway";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { seededRandom } from "@/test-support/seeded-random";

/**
 * The CRM at scale: one user with 10,000 contacts and 100,000 messages over a year, on a SQLite file
 * and on PostgreSQL, then the server time of what the contacts list, a contact's page and the dashboard
 * ask the database, through the same lib functions the pages call. Goal: p95 ≤ 100 ms.
 */

export const CRM_SCALE = { contacts: 10_000, messages: 100_000 } as const;
export const CRM_GOAL_P95_MS = 100;
const ITERATIONS = 200;
/** A slow operation stops early (never below MIN_ITERATIONS) so the whole run stays within minutes. */
const MIN_ITERATIONS = 30;
const OPERATION_BUDGET_MS = 5_000;
export const CRM_WARM_UP = 5;
const CHUNK = 2_000;
const DAY_MS = 24 * 60 * 60_000;
/** The newest contacts, just imported, have no email yet. */
const UNMAILED_CONTACTS = 200;

export type CrmBenchRow = {
  database: Env["database"]["provider"];
  operation: string;
  /** What the call returned, so a row is seen to do real work ("25 of 1,234 contacts"). */
  result: string;
  iterations: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
};

export type CrmBenchReport = {
  ranAt: string;
  node: string;
  postgres?: string;
  contacts: number;
  messages: number;
  goalP95Ms: number;
  seedSeconds: Partial<Record<Env["database"]["provider"], number>>;
  rows: CrmBenchRow[];
  skipped: string[];
};

const FIRST = [
  "Maria", "Mark", "Martin", "Marta", "Anna", "James", "John", "Robert", "Linda", "Patricia", "Jennifer",
  "Michael", "David", "Sarah", "Thomas", "Karen", "Nancy", "Daniel", "Lisa", "Paul", "Emma", "Oliver",
  "Sofia", "Lucas", "Amelia", "Noah", "Mia", "Liam", "Chloe", "Ethan", "Aiko", "Hiro", "Priya", "Arjun",
  "Fatima", "Omar", "Ines", "Jonas", "Lena", "Mateo",
] as const; // prettier-ignore
const LAST = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
  "Hernandez", "Lopez", "Wilson", "Anderson", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis",
  "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
  "Carter", "Mitchell", "Perez", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
  "Tanaka", "Sato", "Patel", "Singh", "Kowalski", "Nowak", "Schmidt", "Fischer", "Rossi", "Dubois",
] as const; // prettier-ignore
const COMPANIES = Array.from(
  { length: 400 },
  (_, i) =>
    `${["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Soylent"][i % 10]} ${
      ["Labs", "Systems", "Industries", "Logistics", "Foods", "Capital", "Health", "Media", "Energy", "Retail"][
        Math.floor(i / 10) % 10
      ]
    }${i >= 100 ? ` ${Math.floor(i / 100) + 1}` : ""}`,
);
const TITLES = ["CEO", "CTO", "Head of Sales", "Buyer", "Engineer", "Office Manager", "Founder", "Director", ""];
const SUBJECTS = [
  "Following up on our call",
  "Proposal for next quarter",
  "Quick question about the pilot",
  "Thanks for your time today",
  "Invoice and next steps",
  "Renewal reminder",
  "Meeting notes",
  "Introduction",
];
// Status mix of a year of use: mostly sent, the rest in every state the outbox shows.
const STATUSES: Array<[MessageStatus, number]> = [
  ["SENT", 0.88],
  ["DRAFT", 0.035],
  ["CANCELLED", 0.03],
  ["FAILED", 0.02],
  ["SCHEDULED", 0.02],
  ["UNKNOWN", 0.005],
  ["QUEUED", 0.005],
  ["WAITING_FOR_RECONNECT", 0.005],
];

type Seeded = { userId: string; busyContactId: string; quietContactId: string; seedMs: number };

/** One user's CRM, written in bulk: contacts first (their ids are the messages' links), then messages. */
async function seedCrm(db: Db, deps: AppDeps): Promise<Seeded> {
  const started = performance.now();
  // Seeded: every run benchmarks the same CRM.
  const rng = seededRandom(11);
  const now = Date.now();
  const user = await db.user.create({ data: { email: "scale@evergreen.test", name: "Scale Tester" } });
  const userId = user.id;
  const accountId = randomBytes(12).toString("hex");
  await db.account.create({
    data: {
      id: accountId,
      userId,
      type: "oidc",
      provider: "google",
      providerAccountId: "scale-sub",
      email: "scale@evergreen.test",
      status: "CONNECTED",
      statusReason: null,
      scope: "openid email profile https://www.googleapis.com/auth/gmail.send",
      refresh_token: deps.vault.seal("1//refresh-scale", accountId),
      access_token: deps.vault.seal("ya29.access-scale", accountId),
      expires_at: Math.floor(now / 1000) + 3600,
      consentedAt: new Date(now - 300 * DAY_MS),
      lastRefreshedAt: new Date(now - 3_600_000),
    },
  });
  await db.connectionEvent.createMany({
    data: Array.from({ length: 40 }, (_, i) => ({
      userId,
      accountId,
      kind: i === 0 ? ("CONNECTED" as const) : ("REFRESHED" as const),
      createdAt: new Date(now - (300 - i * 7) * DAY_MS),
    })),
  });

  const contacts = Array.from({ length: CRM_SCALE.contacts }, (_, i) => {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const company = rng.pick(COMPANIES);
    const values: ContactValues = {
      name: `${first} ${last}`,
      email: `${first}.${last}.${i}@${company.split(" ")[0]!.toLowerCase()}${i % 7}.example`.toLowerCase(),
      company,
      title: rng.pick(TITLES),
      phone: i % 3 === 0 ? `+1 555 01${String(i % 100).padStart(2, "0")}` : "",
      notes: i % 5 === 0 ? "Met at the trade fair; interested in the annual plan." : "",
      timeZone: "",
    };
    return {
      id: `c${String(i).padStart(6, "0")}${randomBytes(6).toString("hex")}`,
      userId,
      ...values,
      searchText: searchTextOf(values),
      lastContactedAt: null as Date | null,
      createdAt: new Date(now - (CRM_SCALE.contacts - i) * 30 * 60_000),
      updatedAt: new Date(now - (CRM_SCALE.contacts - i) * 30 * 60_000),
    };
  });
  const lastContacted = new Map<number, number>();

  // Recipients skew toward a few busy contacts (index² : the first gets ~1% of all mail), as real accounts do.
  const mailedContact = () => Math.floor((CRM_SCALE.contacts - UNMAILED_CONTACTS) * rng.next() ** 2);
  const stranger = () => `someone${rng.int(20_000)}@elsewhere${rng.int(50)}.example`;
  const recipient = () => {
    if (rng.next() < 0.1) return { email: stranger() };
    const index = mailedContact();
    return { email: contacts[index]!.email, index };
  };
  const status = () => {
    let roll = rng.next();
    for (const [value, share] of STATUSES) if ((roll -= share) < 0) return value;
    return "SENT" as const;
  };
  const messageAt = (n: number) => {
    const createdAt = new Date(now - 365 * DAY_MS + Math.floor((n / CRM_SCALE.messages) * 365 * DAY_MS));
    const to = [recipient()];
    if (rng.next() < 0.15) to.push(recipient());
    const cc = rng.next() < 0.25 ? [recipient().email] : [];
    const bcc = rng.next() < 0.03 ? [recipient().email] : [];
    const state = status();
    // Links to the first To contact arrived with a later release: older mail has none.
    const linked = to[0]!.index !== undefined && n > CRM_SCALE.messages * 0.4;
    const sentAt = state === "SENT" ? new Date(createdAt.getTime() + 10_000 + rng.int(60_000)) : null;
    if (sentAt)
      for (const { index } of to)
        if (index !== undefined) lastContacted.set(index, Math.max(lastContacted.get(index) ?? 0, sentAt.getTime()));
    const id = randomBytes(8).toString("hex");
    const due = state === "SCHEDULED" ? new Date(now + (1 + rng.int(30)) * DAY_MS) : null;
    return {
      id: `m${id}`,
      userId,
      contactId: linked ? contacts[to[0]!.index!]!.id : null,
      to: to.map((one) => one.email),
      cc,
      bcc,
      subject: `${rng.pick(SUBJECTS)} #${n}`,
      text: `Hi,\n\nThanks for the conversation. Attached is the summary we discussed, with the figures for the ${
        n % 12
      } sites and the timeline.\n\nBest regards,\nScale`,
      status: state,
      idempotencyKey: `bench-${id}-${n}`,
      sendAt: due,
      nextAttemptAt: due ?? (state === "QUEUED" ? new Date(now) : null),
      attempts: state === "FAILED" ? 5 : state === "SENT" ? 1 : 0,
      lastError: state === "FAILED" ? "Gmail refused the message: the recipient address was rejected." : null,
      rfc822MessageId: state === "SENT" || state === "UNKNOWN" ? `<${id}@evergreen.test>` : null,
      gmailMessageId: sentAt ? id : null,
      gmailThreadId: sentAt ? id : null,
      sendStartedAt: sentAt,
      sentAt,
      createdAt,
      updatedAt: sentAt ?? createdAt,
    };
  };
  const messages = Array.from({ length: CRM_SCALE.messages }, (_, n) => messageAt(n));
  for (const [index, at] of lastContacted) contacts[index] = { ...contacts[index]!, lastContactedAt: new Date(at) };

  await insertRows(db, "Contact", contacts);
  await insertRows(db, "Message", messages);
  await insertRows(
    db,
    "MessageRecipient",
    messages.flatMap((message) =>
      recipientRows(userId, message.createdAt, message.to, message.cc, message.bcc).map((row) => ({
        messageId: message.id,
        ...row,
      })),
    ),
  );
  // PostgreSQL's autovacuum would analyze tables this size within a minute; SQLite is left as the app leaves it.
  if (databaseProvider(db) === "postgresql") await db.$executeRawUnsafe("VACUUM ANALYZE");

  const busiest = [
    ...messages.reduce((count, m) => {
      if (m.contactId) count.set(m.contactId, (count.get(m.contactId) ?? 0) + 1);
      return count;
    }, new Map<string, number>()),
  ].sort((a, b) => b[1] - a[1])[0]![0];
  return {
    userId,
    busyContactId: busiest,
    quietContactId: contacts[contacts.length - 1]!.id,
    seedMs: performance.now() - started,
  };
}

/**
 * Rows as multi-row INSERTs of literals: Prisma's createMany costs about 0.6 ms a row here, this a few
 * microseconds. Every value is the benchmark's own. Dates are written as Prisma writes them: ISO text
 * with +00:00 on SQLite, UTC wall time on PostgreSQL (which ignores the offset for a timestamp column).
 */
async function insertRows(db: Db, table: string, rows: Array<Record<string, unknown>>) {
  const sqlite = databaseProvider(db) === "sqlite";
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return "NULL";
    if (typeof value === "number") return String(value);
    if (value instanceof Date) return `'${sqlite ? value.toISOString().replace("Z", "+00:00") : value.toISOString()}'`;
    if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
    return literal(JSON.stringify(value));
  };
  const columns = Object.keys(rows[0]!);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows
      .slice(i, i + CHUNK)
      .map((row) => `(${columns.map((column) => literal(row[column])).join(", ")})`)
      .join(",\n");
    await db.$executeRawUnsafe(
      `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES ${values}`,
    );
  }
}

type Operation = { name: string; run: () => Promise<string> };

function operations(seeded: Seeded, deps: AppDeps): Operation[] {
  const { userId } = seeded;
  const search = (query: string, page: number) => async () => {
    const result = await listContacts(userId, { query, page }, deps);
    return `page ${result.page}/${result.pageCount}: ${result.contacts.length} of ${result.total.toLocaleString("en")}`;
  };
  const contactPage = (contactId: string) => async () => {
    const contact = await getContact(userId, contactId, deps);
    if (!contact) throw new Error(`contact ${contactId} not found`);
    const timeline = await listContactMessages(userId, contact, deps);
    return `${timeline.length} messages shown`;
  };
  return [
    { name: "contacts: list, page 1", run: search("", 1) },
    { name: "contacts: list, page 300", run: search("", 300) },
    { name: 'search "mar" (prefix), page 1', run: search("mar", 1) },
    { name: 'search "mar" (prefix), last page', run: search("mar", 1_000_000) },
    { name: 'search "son" (substring), page 1', run: search("son", 1) },
    { name: 'search "maria globex" (2 words)', run: search("maria globex", 1) },
    { name: 'search "zzqx" (no hit)', run: search("zzqx", 1) },
    { name: "contact page: busiest contact", run: contactPage(seeded.busyContactId) },
    { name: "contact page: never emailed", run: contactPage(seeded.quietContactId) },
    {
      name: "dashboard",
      run: async () => {
        const [connection, dashboard] = await Promise.all([getConnection(userId, deps), getDashboard(userId, deps)]);
        return `${connection?.status}, ${dashboard.counts.sent.toLocaleString("en")} sent, ${dashboard.contactCount.toLocaleString("en")} contacts`;
      },
    },
  ];
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const round1 = (ms: number) => Math.round(ms * 10) / 10;

async function measure(operation: Operation): Promise<Omit<CrmBenchRow, "database" | "operation">> {
  let result = "";
  for (let i = 0; i < CRM_WARM_UP; i++) result = await operation.run();
  const times: number[] = [];
  const started = performance.now();
  while (
    times.length < ITERATIONS &&
    (times.length < MIN_ITERATIONS || performance.now() - started < OPERATION_BUDGET_MS)
  ) {
    const callStarted = performance.now();
    await operation.run();
    times.push(performance.now() - callStarted);
  }
  times.sort((a, b) => a - b);
  return {
    result,
    iterations: times.length,
    p50Ms: round1(percentile(times, 50)),
    p95Ms: round1(percentile(times, 95)),
    maxMs: round1(times[times.length - 1]!),
  };
}

export async function benchCrm(
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<CrmBenchReport> {
  const report: CrmBenchReport = {
    ranAt: new Date().toISOString(),
    node: process.version,
    contacts: CRM_SCALE.contacts,
    messages: CRM_SCALE.messages,
    goalP95Ms: CRM_GOAL_P95_MS,
    seedSeconds: {},
    rows: [],
    skipped: [],
  };
  const databases = await benchDatabases("crm", report, onCleanup);

  for (const database of databases) {
    await migrateDatabase(database);
    const db = createDb(database);
    onCleanup(() => db.$disconnect());
    const keys = [{ id: "bench", key: randomBytes(32) }];
    const deps: AppDeps = {
      db,
      keys,
      vault: createTokenVault(keys),
      // Nothing measured here talks to Google.
      google: googleGateway({
        clientId: DEV_GOOGLE_CLIENT.id,
        clientSecret: DEV_GOOGLE_CLIENT.secret,
        baseUrl: "http://127.0.0.1:9",
      }),
      now: () => new Date(),
      publishingStatus: "production",
      dailySendLimit: 2000,
    };
    const seeded = await seedCrm(db, deps);
    report.seedSeconds[database.provider] = round1(seeded.seedMs / 1000);
    log(
      `  ${database.provider}: ${CRM_SCALE.contacts.toLocaleString("en")} contacts and ${CRM_SCALE.messages.toLocaleString("en")} messages seeded in ${(seeded.seedMs / 1000).toFixed(1)} s`,
    );
    for (const operation of operations(seeded, deps)) {
      const row = { database: database.provider, operation: operation.name, ...(await measure(operation)) };
      report.rows.push(row);
      log(`  ${database.provider}: ${operation.name}: p95 ${row.p95Ms.toFixed(1)} ms (${row.result})`);
    }
  }
  return report;
}

export function formatCrmTable(report: CrmBenchReport): string {
  const width = Math.max(...report.rows.map((row) => row.operation.length), 9);
  const resultWidth = Math.max(...report.rows.map((row) => row.result.length), 6);
  const pad = (value: string | number, cells: number) => String(value).padStart(cells);
  const lines = [
    `database    ${"operation".padEnd(width)}  ${"result".padEnd(resultWidth)}  calls  p50 ms  p95 ms  max ms  goal`,
    ...report.rows.map(
      (row) =>
        `${row.database.padEnd(10)}  ${row.operation.padEnd(width)}  ${row.result.padEnd(resultWidth)}  ${pad(row.iterations, 5)}  ${pad(row.p50Ms.toFixed(1), 6)}  ${pad(row.p95Ms.toFixed(1), 6)}  ${pad(row.maxMs.toFixed(1), 6)}  ${row.p95Ms <= report.goalP95Ms ? "met" : "MISSED"}`,
    ),
  ];
  return lines.join("\n");
}
