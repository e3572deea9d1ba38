-- AlterTable
ALTER TABLE "Account" ADD COLUMN "email" TEXT;

-- AlterTable
ALTER TABLE "PendingRevocation" ADD COLUMN "providerAccountId" TEXT;

-- CreateIndex
CREATE INDEX "PendingRevocation_providerAccountId_idx" ON "PendingRevocation"("providerAccountId");

