-- CreateTable
CREATE TABLE "Sequence" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "windowDays" INTEGER NOT NULL DEFAULT 62,
    "windowStartMinute" INTEGER NOT NULL DEFAULT 540,
    "windowEndMinute" INTEGER NOT NULL DEFAULT 1020,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Sequence_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SequenceVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sequenceId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SequenceVersion_sequenceId_fkey" FOREIGN KEY ("sequenceId") REFERENCES "Sequence" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SequenceStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "versionId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "delayDays" INTEGER NOT NULL DEFAULT 0,
    "businessDays" BOOLEAN NOT NULL DEFAULT true,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    CONSTRAINT "SequenceStep_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SequenceVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SequenceEnrolment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "sequenceId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "contactId" TEXT,
    "email" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'ACTIVE',
    "step" INTEGER NOT NULL DEFAULT 0,
    "nextSendAt" DATETIME,
    "lastMessageId" TEXT,
    "firstMessageId" TEXT,
    "heldSince" DATETIME,
    "lateSince" DATETIME,
    "stopReason" TEXT,
    "endedAt" DATETIME,
    "repliedAt" DATETIME,
    "replyCheckedAt" DATETIME,
    "nextReplyCheckAt" DATETIME,
    "enrolledAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SequenceEnrolment_sequenceId_fkey" FOREIGN KEY ("sequenceId") REFERENCES "Sequence" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SequenceEnrolment_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SequenceVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SequenceEnrolment_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

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
    "sequenceEnrolmentId" TEXT,
    "sequenceStep" INTEGER,
    CONSTRAINT "Message_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Message_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_followUpOfId_fkey" FOREIGN KEY ("followUpOfId") REFERENCES "Message" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_sequenceEnrolmentId_fkey" FOREIGN KEY ("sequenceEnrolmentId") REFERENCES "SequenceEnrolment" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("attempts", "bcc", "cc", "contactId", "createdAt", "followUpOfId", "gmailMessageId", "gmailThreadId", "id", "idempotencyKey", "inReplyTo", "lastError", "leaseId", "leaseUntil", "mergeId", "nextAttemptAt", "references", "rfc822MessageId", "sendAt", "sendStartedAt", "sentAt", "status", "subject", "text", "to", "unsubscribeKey", "updatedAt", "userId") SELECT "attempts", "bcc", "cc", "contactId", "createdAt", "followUpOfId", "gmailMessageId", "gmailThreadId", "id", "idempotencyKey", "inReplyTo", "lastError", "leaseId", "leaseUntil", "mergeId", "nextAttemptAt", "references", "rfc822MessageId", "sendAt", "sendStartedAt", "sentAt", "status", "subject", "text", "to", "unsubscribeKey", "updatedAt", "userId" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE UNIQUE INDEX "Message_unsubscribeKey_key" ON "Message"("unsubscribeKey");
CREATE INDEX "Message_userId_status_updatedAt_idx" ON "Message"("userId", "status", "updatedAt");
CREATE INDEX "Message_userId_status_sentAt_idx" ON "Message"("userId", "status", "sentAt");
CREATE INDEX "Message_status_nextAttemptAt_idx" ON "Message"("status", "nextAttemptAt");
CREATE INDEX "Message_contactId_createdAt_id_idx" ON "Message"("contactId", "createdAt", "id");
CREATE INDEX "Message_mergeId_status_idx" ON "Message"("mergeId", "status");
CREATE INDEX "Message_followUpOfId_idx" ON "Message"("followUpOfId");
CREATE INDEX "Message_sequenceEnrolmentId_sequenceStep_idx" ON "Message"("sequenceEnrolmentId", "sequenceStep");
CREATE UNIQUE INDEX "Message_userId_idempotencyKey_key" ON "Message"("userId", "idempotencyKey");
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "email" TEXT,
    "emailVerified" DATETIME,
    "image" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "replyDetection" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_User" ("createdAt", "email", "emailVerified", "id", "image", "name", "updatedAt") SELECT "createdAt", "email", "emailVerified", "id", "image", "name", "updatedAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Sequence_userId_createdAt_idx" ON "Sequence"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SequenceVersion_sequenceId_number_key" ON "SequenceVersion"("sequenceId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "SequenceStep_versionId_position_key" ON "SequenceStep"("versionId", "position");

-- CreateIndex
CREATE INDEX "SequenceEnrolment_state_nextSendAt_idx" ON "SequenceEnrolment"("state", "nextSendAt");

-- CreateIndex
CREATE INDEX "SequenceEnrolment_state_nextReplyCheckAt_idx" ON "SequenceEnrolment"("state", "nextReplyCheckAt");

-- CreateIndex
CREATE INDEX "SequenceEnrolment_sequenceId_state_idx" ON "SequenceEnrolment"("sequenceId", "state");

-- CreateIndex
CREATE INDEX "SequenceEnrolment_userId_state_idx" ON "SequenceEnrolment"("userId", "state");

-- CreateIndex
CREATE INDEX "SequenceEnrolment_contactId_idx" ON "SequenceEnrolment"("contactId");

-- CreateIndex
CREATE UNIQUE INDEX "SequenceEnrolment_sequenceId_email_key" ON "SequenceEnrolment"("sequenceId", "email");
