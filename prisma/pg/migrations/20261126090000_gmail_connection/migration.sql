-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('CONNECTED', 'NEEDS_RECONNECT', 'MISSING_SCOPE', 'DISCONNECTED');

-- CreateEnum
CREATE TYPE "StatusReason" AS ENUM ('NO_REFRESH_TOKEN', 'SCOPE_UNTICKED', 'REVOKED', 'TESTING_APP_EXPIRY', 'TOKEN_LIMIT', 'USER_DISCONNECTED', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "ConnectionEventKind" AS ENUM ('CONNECTED', 'SIGNED_IN', 'RECONNECTED', 'REFRESH_TOKEN_MISSING', 'SCOPE_MISSING', 'DISCONNECTED', 'REVOKE_SUCCEEDED', 'REVOKE_FAILED', 'REFRESHED', 'REFRESH_FAILED');

-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "consentedAt" TIMESTAMP(3),
ADD COLUMN     "lastRefreshedAt" TIMESTAMP(3),
ADD COLUMN     "lastUsedAt" TIMESTAMP(3),
ADD COLUMN     "refreshLeaseId" TEXT,
ADD COLUMN     "refreshLeaseUntil" TIMESTAMP(3),
ADD COLUMN     "status" "ConnectionStatus" NOT NULL DEFAULT 'CONNECTED',
ADD COLUMN     "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "statusReason" "StatusReason";

-- CreateTable
CREATE TABLE "ConnectionEvent" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accountId" TEXT,
    "kind" "ConnectionEventKind" NOT NULL,
    "detail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConnectionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PendingRevocation" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingRevocation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConnectionEvent_userId_createdAt_idx" ON "ConnectionEvent"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "PendingRevocation_nextAttemptAt_idx" ON "PendingRevocation"("nextAttemptAt");

-- AddForeignKey
ALTER TABLE "ConnectionEvent" ADD CONSTRAINT "ConnectionEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionEvent" ADD CONSTRAINT "ConnectionEvent_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PendingRevocation" ADD CONSTRAINT "PendingRevocation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

