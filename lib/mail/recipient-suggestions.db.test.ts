import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test-support/test-deps";
import { messageEnqueuer } from "@/test-support/seed-message";
import { createTwoUsers } from "@/test-support/test-users";
import { recentRecipients } from "./recipient-suggestions";

const test = setupTestDatabase();
let userId: string;
let otherUserId: string;

beforeEach(async () => ({ userId, otherUserId } = await createTwoUsers(test.db)));

const message = messageEnqueuer(test);

describe("suggestions from the addresses a user has sent to", () => {
  it("lists To, Cc and Bcc of sent messages, most recent first, each once", async () => {
    await message(userId, { to: ["old@x.test"], bcc: ["hidden@x.test"] }, new Date("2026-01-01"));
    await message(userId, { to: ["new@x.test", "Old@x.test"], cc: ["cc@x.test"] }, new Date("2026-02-01"));
    expect(await recentRecipients(userId, test.deps)).toEqual([
      "new@x.test",
      "old@x.test",
      "cc@x.test",
      "hidden@x.test",
    ]);
  });

  it("lists addresses, not the names they were sent under", async () => {
    await message(userId, { to: ["Bob Smith <Bob@x.test>"], cc: ['"Lovelace, Ada" <ada@x.test>'] }, new Date());
    expect(await recentRecipients(userId, test.deps)).toEqual(["bob@x.test", "ada@x.test"]);
  });

  it("leaves out messages not sent and other users' messages", async () => {
    await message(userId, { to: ["queued@x.test"] });
    await message(otherUserId, { to: ["theirs@x.test"] }, new Date());
    expect(await recentRecipients(userId, test.deps)).toEqual([]);
  });
});
