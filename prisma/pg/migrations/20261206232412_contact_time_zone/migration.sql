-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "timeZone" TEXT NOT NULL DEFAULT '';
