-- AlterEnum
ALTER TYPE "StatusReason" ADD VALUE 'TOKEN_UNREADABLE';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ConnectionEventKind" ADD VALUE 'CREDENTIALS_UNREADABLE';
ALTER TYPE "ConnectionEventKind" ADD VALUE 'RECONNECT_REFUSED';

-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "email" TEXT;

-- AlterTable
ALTER TABLE "PendingRevocation" ADD COLUMN     "providerAccountId" TEXT;

-- CreateIndex
CREATE INDEX "PendingRevocation_providerAccountId_idx" ON "PendingRevocation"("providerAccountId");

