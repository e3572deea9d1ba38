-- AlterTable
ALTER TABLE "SequenceEnrolment" ADD COLUMN     "dueAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "SequenceEnrolment_state_heldSince_idx" ON "SequenceEnrolment"("state", "heldSince");
