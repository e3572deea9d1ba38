-- DropIndex
DROP INDEX "Message_idempotencyKey_key";

-- CreateIndex
CREATE UNIQUE INDEX "Message_userId_idempotencyKey_key" ON "Message"("userId", "idempotencyKey");
