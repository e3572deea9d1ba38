-- CreateTable
CREATE TABLE "ContactTag" (
    "contactId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,

    PRIMARY KEY ("contactId", "key"),
    CONSTRAINT "ContactTag_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Template" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Template_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Merge" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "templateId" TEXT,
    "name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "audience" TEXT NOT NULL,
    "fallbacks" JSONB NOT NULL,
    "startAt" DATETIME,
    "windowDays" INTEGER,
    "windowStartMinute" INTEGER,
    "windowEndMinute" INTEGER,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "nextSendAt" DATETIME,
    "startedAt" DATETIME,
    "pausedAt" DATETIME,
    "finishedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Merge_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Merge_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MergeRecipient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "mergeId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "contactId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "skipReason" TEXT,
    "messageId" TEXT,
    CONSTRAINT "MergeRecipient_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "MergeRecipient_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "MergeRecipient_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MergeAttachment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "mergeId" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "content" BLOB NOT NULL,
    CONSTRAINT "MergeAttachment_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Suppression" (
    "userId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "unsubscribedAt" DATETIME NOT NULL,
    "messageId" TEXT,

    PRIMARY KEY ("userId", "email"),
    CONSTRAINT "Suppression_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Contact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "email" TEXT NOT NULL,
    "company" TEXT NOT NULL DEFAULT '',
    "title" TEXT NOT NULL DEFAULT '',
    "phone" TEXT NOT NULL DEFAULT '',
    "notes" TEXT NOT NULL DEFAULT '',
    "firstName" TEXT NOT NULL DEFAULT '',
    "searchText" TEXT NOT NULL,
    "lastContactedAt" DATETIME,
    "unsubscribedAt" DATETIME,
    "unsubscribedFromMessageId" TEXT,
    "resubscribedAt" DATETIME,
    "resubscribeNote" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Contact_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Contact" ("company", "createdAt", "email", "id", "lastContactedAt", "name", "notes", "phone", "searchText", "title", "updatedAt", "userId") SELECT "company", "createdAt", "email", "id", "lastContactedAt", "name", "notes", "phone", "searchText", "title", "updatedAt", "userId" FROM "Contact";
DROP TABLE "Contact";
ALTER TABLE "new_Contact" RENAME TO "Contact";
CREATE INDEX "Contact_userId_searchText_idx" ON "Contact"("userId", "searchText");
CREATE UNIQUE INDEX "Contact_userId_email_key" ON "Contact"("userId", "email");
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Message_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Message_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("attempts", "bcc", "cc", "contactId", "createdAt", "gmailMessageId", "gmailThreadId", "id", "idempotencyKey", "inReplyTo", "lastError", "leaseId", "leaseUntil", "nextAttemptAt", "rfc822MessageId", "sendAt", "sendStartedAt", "sentAt", "status", "subject", "text", "to", "updatedAt", "userId") SELECT "attempts", "bcc", "cc", "contactId", "createdAt", "gmailMessageId", "gmailThreadId", "id", "idempotencyKey", "inReplyTo", "lastError", "leaseId", "leaseUntil", "nextAttemptAt", "rfc822MessageId", "sendAt", "sendStartedAt", "sentAt", "status", "subject", "text", "to", "updatedAt", "userId" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE UNIQUE INDEX "Message_unsubscribeKey_key" ON "Message"("unsubscribeKey");
CREATE INDEX "Message_userId_status_updatedAt_idx" ON "Message"("userId", "status", "updatedAt");
CREATE INDEX "Message_userId_status_sentAt_idx" ON "Message"("userId", "status", "sentAt");
CREATE INDEX "Message_status_nextAttemptAt_idx" ON "Message"("status", "nextAttemptAt");
CREATE INDEX "Message_contactId_createdAt_id_idx" ON "Message"("contactId", "createdAt", "id");
CREATE INDEX "Message_mergeId_status_idx" ON "Message"("mergeId", "status");
CREATE UNIQUE INDEX "Message_userId_idempotencyKey_key" ON "Message"("userId", "idempotencyKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ContactTag_userId_key_contactId_idx" ON "ContactTag"("userId", "key", "contactId");

-- CreateIndex
CREATE INDEX "Template_userId_updatedAt_idx" ON "Template"("userId", "updatedAt");

-- CreateIndex
CREATE INDEX "Merge_userId_createdAt_idx" ON "Merge"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Merge_status_nextSendAt_idx" ON "Merge"("status", "nextSendAt");

-- CreateIndex
CREATE UNIQUE INDEX "MergeRecipient_messageId_key" ON "MergeRecipient"("messageId");

-- CreateIndex
CREATE INDEX "MergeRecipient_mergeId_state_position_idx" ON "MergeRecipient"("mergeId", "state", "position");

-- CreateIndex
CREATE UNIQUE INDEX "MergeRecipient_mergeId_email_key" ON "MergeRecipient"("mergeId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "MergeRecipient_mergeId_position_key" ON "MergeRecipient"("mergeId", "position");

-- CreateIndex
CREATE INDEX "MergeAttachment_mergeId_idx" ON "MergeAttachment"("mergeId");
