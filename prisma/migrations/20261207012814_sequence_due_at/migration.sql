-- AlterTable
ALTER TABLE "SequenceEnrolment" ADD COLUMN "dueAt" DATETIME;

-- CreateIndex
CREATE INDEX "SequenceEnrolment_state_heldSince_idx" ON "SequenceEnrolment"("state", "heldSince");
