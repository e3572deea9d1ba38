-- CreateEnum
CREATE TYPE "EnrolmentState" AS ENUM ('ACTIVE', 'REPLIED', 'FINISHED', 'STOPPED');

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "sequenceEnrolmentId" TEXT,
ADD COLUMN     "sequenceStep" INTEGER;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "replyDetection" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Sequence" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "windowDays" INTEGER NOT NULL DEFAULT 62,
    "windowStartMinute" INTEGER NOT NULL DEFAULT 540,
    "windowEndMinute" INTEGER NOT NULL DEFAULT 1020,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Sequence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SequenceVersion" (
    "id" TEXT NOT NULL,
    "sequenceId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SequenceVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SequenceStep" (
    "id" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "delayDays" INTEGER NOT NULL DEFAULT 0,
    "businessDays" BOOLEAN NOT NULL DEFAULT true,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,

    CONSTRAINT "SequenceStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SequenceEnrolment" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "sequenceId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "contactId" TEXT,
    "email" TEXT NOT NULL,
    "state" "EnrolmentState" NOT NULL DEFAULT 'ACTIVE',
    "step" INTEGER NOT NULL DEFAULT 0,
    "nextSendAt" TIMESTAMP(3),
    "lastMessageId" TEXT,
    "firstMessageId" TEXT,
    "heldSince" TIMESTAMP(3),
    "lateSince" TIMESTAMP(3),
    "stopReason" TEXT,
    "endedAt" TIMESTAMP(3),
    "repliedAt" TIMESTAMP(3),
    "replyCheckedAt" TIMESTAMP(3),
    "nextReplyCheckAt" TIMESTAMP(3),
    "enrolledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SequenceEnrolment_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Message_sequenceEnrolmentId_sequenceStep_idx" ON "Message"("sequenceEnrolmentId", "sequenceStep");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_sequenceEnrolmentId_fkey" FOREIGN KEY ("sequenceEnrolmentId") REFERENCES "SequenceEnrolment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sequence" ADD CONSTRAINT "Sequence_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceVersion" ADD CONSTRAINT "SequenceVersion_sequenceId_fkey" FOREIGN KEY ("sequenceId") REFERENCES "Sequence"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceStep" ADD CONSTRAINT "SequenceStep_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SequenceVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceEnrolment" ADD CONSTRAINT "SequenceEnrolment_sequenceId_fkey" FOREIGN KEY ("sequenceId") REFERENCES "Sequence"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceEnrolment" ADD CONSTRAINT "SequenceEnrolment_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SequenceVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceEnrolment" ADD CONSTRAINT "SequenceEnrolment_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE SET NULL ON UPDATE CASCADE;
