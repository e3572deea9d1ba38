-- AlterEnum
ALTER TYPE "ConnectionEventKind" ADD VALUE 'GOOGLE_SECURITY_EVENT';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "StatusReason" ADD VALUE 'REMOVED_AT_GOOGLE';
ALTER TYPE "StatusReason" ADD VALUE 'ACCOUNT_DISABLED';

-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "googleAccountEventAt" TIMESTAMP(3),
ADD COLUMN     "googleDisabledAt" TIMESTAMP(3),
ADD COLUMN     "googleDisabledReason" TEXT,
ADD COLUMN     "refreshTokenHash" TEXT,
ADD COLUMN     "refreshTokenHexHash" TEXT,
ADD COLUMN     "refreshTokenPrefixHash" TEXT;

-- CreateTable
CREATE TABLE "SecurityEvent" (
    "id" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "googleSub" TEXT,
    "state" TEXT,
    "issuedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT,

    CONSTRAINT "SecurityEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SecurityEvent_jti_key" ON "SecurityEvent"("jti");

-- CreateIndex
CREATE INDEX "SecurityEvent_eventType_receivedAt_idx" ON "SecurityEvent"("eventType", "receivedAt");

-- CreateIndex
CREATE INDEX "Account_refreshTokenHash_idx" ON "Account"("refreshTokenHash");

-- CreateIndex
CREATE INDEX "Account_refreshTokenHexHash_idx" ON "Account"("refreshTokenHexHash");

-- CreateIndex
CREATE INDEX "Account_refreshTokenPrefixHash_idx" ON "Account"("refreshTokenPrefixHash");
