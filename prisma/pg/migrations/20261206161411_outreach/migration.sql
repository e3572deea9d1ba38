-- CreateEnum
CREATE TYPE "MergeStatus" AS ENUM ('DRAFT', 'RUNNING', 'PAUSED', 'CANCELLED', 'FINISHED');

-- CreateEnum
CREATE TYPE "MergeRecipientState" AS ENUM ('PENDING', 'QUEUED', 'SKIPPED');

-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "firstName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "resubscribeNote" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "resubscribedAt" TIMESTAMP(3),
ADD COLUMN     "unsubscribedAt" TIMESTAMP(3),
ADD COLUMN     "unsubscribedFromMessageId" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "mergeId" TEXT,
ADD COLUMN     "unsubscribeKey" TEXT;

-- CreateTable
CREATE TABLE "ContactTag" (
    "contactId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,

    CONSTRAINT "ContactTag_pkey" PRIMARY KEY ("contactId","key")
);

-- CreateTable
CREATE TABLE "Template" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Template_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Merge" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "templateId" TEXT,
    "name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "MergeStatus" NOT NULL DEFAULT 'DRAFT',
    "audience" TEXT NOT NULL,
    "fallbacks" JSONB NOT NULL,
    "startAt" TIMESTAMP(3),
    "windowDays" INTEGER,
    "windowStartMinute" INTEGER,
    "windowEndMinute" INTEGER,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "nextSendAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "pausedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Merge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MergeRecipient" (
    "id" TEXT NOT NULL,
    "mergeId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "contactId" TEXT,
    "state" "MergeRecipientState" NOT NULL DEFAULT 'PENDING',
    "skipReason" TEXT,
    "messageId" TEXT,

    CONSTRAINT "MergeRecipient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MergeAttachment" (
    "id" TEXT NOT NULL,
    "mergeId" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "MergeAttachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Suppression" (
    "userId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "unsubscribedAt" TIMESTAMP(3) NOT NULL,
    "messageId" TEXT,

    CONSTRAINT "Suppression_pkey" PRIMARY KEY ("userId","email")
);

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

-- CreateIndex
CREATE UNIQUE INDEX "Message_unsubscribeKey_key" ON "Message"("unsubscribeKey");

-- CreateIndex
CREATE INDEX "Message_mergeId_status_idx" ON "Message"("mergeId", "status");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContactTag" ADD CONSTRAINT "ContactTag_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Template" ADD CONSTRAINT "Template_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Merge" ADD CONSTRAINT "Merge_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Merge" ADD CONSTRAINT "Merge_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MergeRecipient" ADD CONSTRAINT "MergeRecipient_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MergeRecipient" ADD CONSTRAINT "MergeRecipient_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MergeRecipient" ADD CONSTRAINT "MergeRecipient_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MergeAttachment" ADD CONSTRAINT "MergeAttachment_mergeId_fkey" FOREIGN KEY ("mergeId") REFERENCES "Merge"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Suppression" ADD CONSTRAINT "Suppression_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
