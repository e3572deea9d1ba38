import { randomBytes } from "node:crypto";
import { contactSchema, createContact } from "./contacts";
import { appDeps, type AppDeps } from "../platform/deps";
import type { Env } from "../platform/env";
import { recipientRows } from "../mail/messages";

/**
 * A living CRM for someone trying Evergreen: realistic contacts, each with a little email history.
 * Added only for a user who has no contacts yet, on a development server talking to the local Google
 * (at first sign-in) or when asked with `npm run db:seed`; a production server never adds it by itself.
 */

const PEOPLE = [
  [
    "Grace Hopper",
    "grace@evergreen.test",
    "Navy Computing Lab",
    "Rear Admiral",
    "+1 202 555 0142",
    "Wants the COBOL migration plan before Q3.",
  ],
  [
    "Alan Turing",
    "alan@bletchley.example",
    "Bletchley Park",
    "Head of Hut 8",
    "+44 20 7946 0958",
    "Prefers email over calls.",
  ],
  ["Katherine Johnson", "katherine@langley.example", "NASA Langley", "Research Mathematician", "+1 757 555 0199", ""],
  [
    "Margaret Hamilton",
    "margaret@apollo.example",
    "MIT Instrumentation Lab",
    "Director of Software Engineering",
    "+1 617 555 0123",
    "Decision maker for the flight software deal.",
  ],
  ["Tim Berners-Lee", "tim@cern.example", "CERN", "Fellow", "+41 22 555 0167", ""],
  [
    "Radia Perlman",
    "radia@spanning.example",
    "Spanning Tree Inc.",
    "Network Architect",
    "+1 978 555 0110",
    "Met at the networking summit.",
  ],
  ["Linus Torvalds", "linus@kernel.example", "Kernel Org", "Maintainer", "", "Only plain-text email."],
  ["Barbara Liskov", "barbara@substitution.example", "CLU Systems", "Professor", "+1 617 555 0175", ""],
  ["Donald Knuth", "don@taocp.example", "Stanford", "Professor Emeritus", "", "Sends checks for typos."],
  [
    "Frances Allen",
    "frances@optimizing.example",
    "IBM Research",
    "Fellow",
    "+1 914 555 0133",
    "Interested in the compiler add-on.",
  ],
  ["Edsger Dijkstra", "edsger@shortest.example", "Eindhoven University", "Professor", "+31 40 555 0121", ""],
  [
    "Hedy Lamarr",
    "hedy@frequency.example",
    "Spread Spectrum Ltd.",
    "Founder",
    "+1 310 555 0188",
    "Renewal due next month.",
  ],
] as const;

const SUBJECTS = [
  "Following up on our call",
  "Proposal for next quarter",
  "Quick question about the pilot",
  "Thanks for your time today",
];

/** Development against the local Google is the only place demo data appears without being asked for. */
export function demoDataOnFirstSignIn(env: Pick<Env, "isProduction" | "google">): boolean {
  return !env.isProduction && Boolean(env.google.baseUrl);
}

export async function seedDemoData(
  userId: string,
  deps: AppDeps = appDeps(),
): Promise<{ contacts: number; messages: number }> {
  const { db } = deps;
  if ((await db.contact.count({ where: { userId } })) > 0) return { contacts: 0, messages: 0 };
  const now = deps.now().getTime();
  const DAY = 24 * 60 * 60_000;
  let messages = 0;
  for (const [index, [name, email, company, title, phone, notes]] of PEOPLE.entries()) {
    const contact = await createContact(
      userId,
      contactSchema.parse({ name, email, company, title, phone, notes }),
      deps,
    );
    // Every other contact has a short history of sent email, the latest a few days back.
    const history = index % 2 === 0 ? 1 + (index % 3) : 0;
    for (let n = 0; n < history; n++) {
      const sentAt = new Date(now - (index + 1) * 2 * DAY - n * 9 * DAY);
      const id = randomBytes(8).toString("hex");
      await db.message.create({
        data: {
          userId,
          contactId: contact.id,
          to: [email],
          cc: [],
          bcc: [],
          subject: SUBJECTS[(index + n) % SUBJECTS.length]!,
          text: `Hi ${name.split(" ")[0]},\n\nGood to talk to you. Here is what we discussed.\n\nBest regards`,
          status: "SENT",
          idempotencyKey: `demo-${randomBytes(12).toString("hex")}`,
          rfc822MessageId: `<demo.${id}@evergreen.test>`,
          gmailMessageId: id,
          gmailThreadId: id,
          sentAt,
          sendStartedAt: sentAt,
          createdAt: sentAt,
          recipients: { create: recipientRows(userId, sentAt, [email]) },
        },
      });
      messages += 1;
    }
    if (history > 0) {
      await db.contact.update({
        where: { id: contact.id },
        data: { lastContactedAt: new Date(now - (index + 1) * 2 * DAY) },
      });
    }
  }
  return { contacts: PEOPLE.length, messages };
}
