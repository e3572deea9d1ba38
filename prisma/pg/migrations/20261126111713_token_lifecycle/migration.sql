-- AlterEnum
ALTER TYPE "StatusReason" ADD VALUE 'UNUSED_TOO_LONG';

-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "refreshProblem" TEXT,
ADD COLUMN     "refreshProblemAt" TIMESTAMP(3),
ADD COLUMN     "restoredAt" TIMESTAMP(3);
