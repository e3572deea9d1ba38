-- AlterTable
ALTER TABLE "Account" ADD COLUMN "googleAccountEventAt" DATETIME;
ALTER TABLE "Account" ADD COLUMN "googleDisabledAt" DATETIME;
ALTER TABLE "Account" ADD COLUMN "googleDisabledReason" TEXT;
ALTER TABLE "Account" ADD COLUMN "refreshTokenHash" TEXT;
ALTER TABLE "Account" ADD COLUMN "refreshTokenHexHash" TEXT;
ALTER TABLE "Account" ADD COLUMN "refreshTokenPrefixHash" TEXT;

-- CreateTable
CREATE TABLE "SecurityEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jti" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "googleSub" TEXT,
    "state" TEXT,
    "issuedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT
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
