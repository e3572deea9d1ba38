-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Account" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "email" TEXT,
    "status" TEXT NOT NULL DEFAULT 'NEEDS_RECONNECT',
    "statusReason" TEXT DEFAULT 'NO_REFRESH_TOKEN',
    "statusChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consentedAt" DATETIME,
    "lastRefreshedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "refreshLeaseUntil" DATETIME,
    "refreshLeaseId" TEXT,
    CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Account" ("access_token", "consentedAt", "createdAt", "email", "expires_at", "id", "id_token", "lastRefreshedAt", "lastUsedAt", "provider", "providerAccountId", "refreshLeaseId", "refreshLeaseUntil", "refresh_token", "scope", "session_state", "status", "statusChangedAt", "statusReason", "token_type", "type", "updatedAt", "userId") SELECT "access_token", "consentedAt", "createdAt", "email", "expires_at", "id", "id_token", "lastRefreshedAt", "lastUsedAt", "provider", "providerAccountId", "refreshLeaseId", "refreshLeaseUntil", "refresh_token", "scope", "session_state", "status", "statusChangedAt", "statusReason", "token_type", "type", "updatedAt", "userId" FROM "Account";
DROP TABLE "Account";
ALTER TABLE "new_Account" RENAME TO "Account";
CREATE INDEX "Account_userId_idx" ON "Account"("userId");
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
