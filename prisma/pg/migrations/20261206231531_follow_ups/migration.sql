-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "followUpOfId" TEXT,
ADD COLUMN     "references" TEXT;

-- CreateIndex
CREATE INDEX "Message_followUpOfId_idx" ON "Message"("followUpOfId");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_followUpOfId_fkey" FOREIGN KEY ("followUpOfId") REFERENCES "Message"("id") ON DELETE SET NULL ON UPDATE CASCADE;
