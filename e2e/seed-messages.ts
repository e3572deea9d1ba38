import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { E2E } from "./e2e-config";

type Seed = { subject: string; status: string; lastError?: string; attempts?: number; sendStartedAt?: boolean };

/** Messages as the outbox would have left them, written straight into the app's database. */
export function seedMessages(email: string, messages: Seed[]): Record<string, string> {
  const db = new Database(E2E.databaseFile, { fileMustExist: true });
  try {
    const { id: userId } = db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as { id: string };
    const insert = db.prepare(
      `INSERT INTO "Message" (id, userId, "to", cc, bcc, subject, text, status, idempotencyKey, nextAttemptAt, attempts, lastError, sendStartedAt, rfc822MessageId, createdAt, updatedAt)
       VALUES (?, ?, '["grace@evergreen.test"]', '[]', '[]', ?, 'Hello', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = new Date().toISOString();
    const ids: Record<string, string> = {};
    for (const message of messages) {
      const id = randomUUID();
      ids[message.subject] = id;
      const due = message.status === "SCHEDULED" ? new Date(Date.now() + 24 * 60 * 60_000).toISOString() : null;
      insert.run(
        id,
        userId,
        message.subject,
        message.status,
        randomUUID().replaceAll("-", ""),
        due,
        message.attempts ?? 0,
        message.lastError ?? null,
        message.sendStartedAt ? now : null,
        `<${id}@evergreen.test>`,
        now,
        now,
      );
    }
    return ids;
  } finally {
    db.close();
  }
}
