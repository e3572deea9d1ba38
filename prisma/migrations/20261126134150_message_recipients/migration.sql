-- DropIndex
DROP INDEX "Message_contactId_idx";

-- CreateTable
CREATE TABLE "MessageRecipient" (
    "messageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("messageId", "email"),
    CONSTRAINT "MessageRecipient_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "MessageRecipient_userId_email_createdAt_messageId_idx" ON "MessageRecipient"("userId", "email", "createdAt", "messageId");

-- CreateIndex
CREATE INDEX "Message_userId_status_sentAt_idx" ON "Message"("userId", "status", "sentAt");

-- CreateIndex
CREATE INDEX "Message_contactId_createdAt_id_idx" ON "Message"("contactId", "createdAt", "id");

-- Backfill: the addresses of every message stored so far, lower-cased, each once per message.
INSERT INTO "MessageRecipient" ("messageId", "userId", "email", "createdAt")
SELECT "Message"."id", "Message"."userId", lower("address"."value"), "Message"."createdAt"
FROM "Message", json_each("Message"."to") AS "address"
WHERE json_type("Message"."to") = 'array' AND "address"."type" = 'text'
UNION
SELECT "Message"."id", "Message"."userId", lower("address"."value"), "Message"."createdAt"
FROM "Message", json_each("Message"."cc") AS "address"
WHERE json_type("Message"."cc") = 'array' AND "address"."type" = 'text'
UNION
SELECT "Message"."id", "Message"."userId", lower("address"."value"), "Message"."createdAt"
FROM "Message", json_each("Message"."bcc") AS "address"
WHERE json_type("Message"."bcc") = 'array' AND "address"."type" = 'text';
