-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Contact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "email" TEXT NOT NULL,
    "company" TEXT NOT NULL DEFAULT '',
    "title" TEXT NOT NULL DEFAULT '',
    "phone" TEXT NOT NULL DEFAULT '',
    "notes" TEXT NOT NULL DEFAULT '',
    "firstName" TEXT NOT NULL DEFAULT '',
    "timeZone" TEXT NOT NULL DEFAULT '',
    "searchText" TEXT NOT NULL,
    "lastContactedAt" DATETIME,
    "unsubscribedAt" DATETIME,
    "unsubscribedFromMessageId" TEXT,
    "resubscribedAt" DATETIME,
    "resubscribeNote" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Contact_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Contact" ("company", "createdAt", "email", "firstName", "id", "lastContactedAt", "name", "notes", "phone", "resubscribeNote", "resubscribedAt", "searchText", "title", "unsubscribedAt", "unsubscribedFromMessageId", "updatedAt", "userId") SELECT "company", "createdAt", "email", "firstName", "id", "lastContactedAt", "name", "notes", "phone", "resubscribeNote", "resubscribedAt", "searchText", "title", "unsubscribedAt", "unsubscribedFromMessageId", "updatedAt", "userId" FROM "Contact";
DROP TABLE "Contact";
ALTER TABLE "new_Contact" RENAME TO "Contact";
CREATE INDEX "Contact_userId_searchText_idx" ON "Contact"("userId", "searchText");
CREATE UNIQUE INDEX "Contact_userId_email_key" ON "Contact"("userId", "email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
