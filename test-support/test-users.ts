import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/platform/db";

/**
 * Two fresh users: the one a test acts as, and another whose rows it must never see or change.
 * `beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)))`.
 */
export async function createTwoUsers(db: Db): Promise<{ userId: string; otherUserId: string }> {
  const user = (label: string) =>
    db.user.create({ data: { email: `${label}-${randomBytes(4).toString("hex")}@evergreen.test` } });
  return { userId: (await user("ada")).id, otherUserId: (await user("grace")).id };
}
