-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "contactId" TEXT,
    "to" JSONB NOT NULL,
    "cc" JSONB NOT NULL,
    "bcc" JSONB NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "idempotencyKey" TEXT NOT NULL,
    "sendAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastError" TEXT,
    "leaseId" TEXT,
    "leaseUntil" DATETIME,
    "sendStartedAt" DATETIME,
    "rfc822MessageId" TEXT,
    "inReplyTo" TEXT,
    "gmailMessageId" TEXT,
    "gmailThreadId" TEXT,
    "sentAt" DATETIME,
    "unsubscribeKey" TEXT,
    "mergeId" TEXT,
    "followUpOfId" TEXT,
    "references" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Message_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Message_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_followUpOfId_fkey" FOREIGN KEY ("followUpOfId") REFERENCES "Message" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("attempts", "bcc", "cc", "contactId", "createdAt", "gmailMessageId", "gmailThreadId", "id", "idempotencyKey", "inReplyTo", "lastError", "leaseId", "leaseUntil", "mergeId", "nextAttemptAt", "rfc822MessageId", "sendAt", "sendStartedAt", "sentAt", "status", "subject", "text", "to", "unsubscribeKey", "updatedAt", "userId") SELECT "attempts", "bcc", "cc", "contactId", "createdAt", "gmailMessageId", "gmailThreadId", "id", "idempotencyKey", "inReplyTo", "lastError", "leaseId", "leaseUntil", "mergeId", "nextAttemptAt", "rfc822MessageId", "sendAt", "sendStartedAt", "sentAt", "status", "subject", "text", "to", "unsubscribeKey", "updatedAt", "userId" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE UNIQUE INDEX "Message_unsubscribeKey_key" ON "Message"("unsubscribeKey");
CREATE INDEX "Message_userId_status_updatedAt_idx" ON "Message"("userId", "status", "updatedAt");
CREATE INDEX "Message_userId_status_sentAt_idx" ON "Message"("userId", "status", "sentAt");
CREATE INDEX "Message_status_nextAttemptAt_idx" ON "Message"("status", "nextAttemptAt");
CREATE INDEX "Message_contactId_createdAt_id_idx" ON "Message"("contactId", "createdAt", "id");
CREATE INDEX "Message_mergeId_status_idx" ON "Message"("mergeId", "status");
CREATE INDEX "Message_followUpOfId_idx" ON "Message"("followUpOfId");
CREATE UNIQUE INDEX "Message_userId_idempotencyKey_key" ON "Message"("userId", "idempotencyKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
