import { gmail } from "@googleapis/gmail";
import { describe, expect, it } from "vitest";
import { GMAIL_SEND } from "../oauth2/scopes";
import { DEV_USER } from "../seed";
import { apiError, connect, errorHeader } from "../testing";
import { setupEmulator } from "../vitest-setup";

const env = setupEmulator();

async function gmailWith(scopes?: string[]) {
  const { client, tokens } = await connect(env.url, scopes ? { scopes } : {});
  client.setCredentials(tokens);
  return gmail({ version: "v1", auth: client, rootUrl: `${env.url}/` });
}

describe("Gmail profile", () => {
  it("403 for getProfile with gmail.send alone; 200 with a read scope", async () => {
    const error = await apiError((await gmailWith()).users.getProfile({ userId: "me" }));
    expect(error.status).toBe(403);
    expect(error.response.data.error).toMatchObject({
      code: 403,
      message: "Request had insufficient authentication scopes.",
      status: "PERMISSION_DENIED",
      errors: [{ reason: "insufficientPermissions", message: "Insufficient Permission" }],
      details: [{ reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT" }],
    });
    expect(errorHeader(error, "www-authenticate")).toContain('error="insufficient_scope"');

    const reader = await gmailWith(["openid", "email", GMAIL_SEND, "https://www.googleapis.com/auth/gmail.readonly"]);
    const profile = await reader.users.getProfile({ userId: "me" });
    expect(profile.data).toMatchObject({ emailAddress: DEV_USER.email, messagesTotal: 0, threadsTotal: 0 });
    expect(typeof profile.data.historyId).toBe("string");
  });
});
