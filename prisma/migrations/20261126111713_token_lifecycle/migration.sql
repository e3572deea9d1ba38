-- AlterTable
ALTER TABLE "Account" ADD COLUMN "refreshProblem" TEXT;
ALTER TABLE "Account" ADD COLUMN "refreshProblemAt" DATETIME;
ALTER TABLE "Account" ADD COLUMN "restoredAt" DATETIME;
