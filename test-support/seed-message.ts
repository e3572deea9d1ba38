import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/platform/db";
import type { AppDeps } from "@/lib/platform/deps";
import { composeSchema } from "@/lib/mail/compose";
import { enqueueMessage, recipientRows } from "@/lib/mail/messages";

/**
 * A message row written straight to the test database (its recipients too, as the outbox writes them),
 * for the CRM's database tests: `const seedMessage = messageSeeder(test)`.
 */
export function messageSeeder(test: { readonly db: Db }) {
  return seedMessage;

  async function seedMessage(
    owner: string,
    {
      to,
      cc = [],
      bcc = [],
      status = "SENT",
      contactId = null,
      subject = "Hello",
      gmailThreadId = "18c2f0a1b2c3d4e5",
    }: {
      to: string[];
      cc?: string[];
      bcc?: string[];
      status?: "SENT" | "QUEUED" | "DRAFT" | "CANCELLED" | "FAILED" | "UNKNOWN";
      contactId?: string | null;
      subject?: string;
      gmailThreadId?: string | null;
    },
  ) {
    const id = randomBytes(8).toString("hex");
    const createdAt = new Date();
    await test.db.message.create({
      data: {
        id,
        userId: owner,
        contactId,
        to,
        cc,
        bcc,
        createdAt,
        recipients: { create: recipientRows(owner, createdAt, to, cc, bcc) },
        subject,
        text: "Hi",
        status,
        idempotencyKey: randomBytes(12).toString("hex"),
        rfc822MessageId: `<${id}@evergreen.test>`,
        sentAt: status === "SENT" ? new Date() : null,
        gmailThreadId: status === "SENT" ? gmailThreadId : null,
      },
    });
    return id;
  }
}

/**
 * A message queued as the send action queues it (enqueueMessage), optionally marked SENT at `sentAt`:
 * `const message = messageEnqueuer(test)`.
 */
export function messageEnqueuer(test: { readonly db: Db; readonly deps: AppDeps }) {
  return async (owner: string, recipients: { to: string[]; cc?: string[]; bcc?: string[] }, sentAt?: Date) => {
    const queued = await enqueueMessage(
      owner,
      composeSchema.parse({ subject: "Hi", body: "", idempotencyKey: randomBytes(12).toString("hex"), ...recipients }),
      test.deps,
    );
    if (sentAt) await test.db.message.update({ where: { id: queued.id }, data: { status: "SENT", sentAt } });
    return queued.id;
  };
}
