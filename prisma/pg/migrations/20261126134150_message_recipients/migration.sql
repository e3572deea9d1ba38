-- DropIndex
DROP INDEX "Message_contactId_idx";

-- CreateTable
CREATE TABLE "MessageRecipient" (
    "messageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MessageRecipient_pkey" PRIMARY KEY ("messageId","email")
);

-- CreateIndex
CREATE INDEX "MessageRecipient_userId_email_createdAt_messageId_idx" ON "MessageRecipient"("userId", "email", "createdAt", "messageId");

-- CreateIndex
CREATE INDEX "Message_userId_status_sentAt_idx" ON "Message"("userId", "status", "sentAt");

-- CreateIndex
CREATE INDEX "Message_contactId_createdAt_id_idx" ON "Message"("contactId", "createdAt", "id");

-- AddForeignKey
ALTER TABLE "MessageRecipient" ADD CONSTRAINT "MessageRecipient_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill: the addresses of every message stored so far, lower-cased, each once per message.
INSERT INTO "MessageRecipient" ("messageId", "userId", "email", "createdAt")
SELECT DISTINCT "Message"."id", "Message"."userId", lower("address"."value" #>> '{}'), "Message"."createdAt"
FROM "Message", jsonb_array_elements(
  CASE WHEN jsonb_typeof("Message"."to") = 'array' THEN "Message"."to" ELSE '[]'::jsonb END
  || CASE WHEN jsonb_typeof("Message"."cc") = 'array' THEN "Message"."cc" ELSE '[]'::jsonb END
  || CASE WHEN jsonb_typeof("Message"."bcc") = 'array' THEN "Message"."bcc" ELSE '[]'::jsonb END
) AS "address"("value")
WHERE jsonb_typeof("address"."value") = 'string';
