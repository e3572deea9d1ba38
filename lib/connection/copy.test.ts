import { describe, expect, it } from "vitest";
import { describeConnectionStatus, reapproveCopy, restoredNoticeText, type StatusCopy } from "./copy";
import type { StatusReason } from "../platform/db";

const sentence = (copy: StatusCopy) => `${copy.cause} ${copy.fix ?? ""}`;

const REASONS: StatusReason[] = [
  "NO_REFRESH_TOKEN",
  "REVOKED",
  "TESTING_APP_EXPIRY",
  "TOKEN_LIMIT",
  "TOKEN_UNREADABLE",
  "UNUSED_TOO_LONG",
  "UNKNOWN",
];

describe("the words for a broken connection", () => {
  it.each(REASONS)("%s: names its cause and the fix, with the Reconnect button", (reason) => {
    const copy = describeConnectionStatus("NEEDS_RECONNECT", reason);
    expect(copy).toMatchObject({ tone: "error", title: "Reconnect needed", action: "reconnect" });
    expect(copy.cause).not.toBe("");
    expect(copy.fix).toMatch(/^Reconnect/);
  });

  it("each cause is told apart", () => {
    const causes = REASONS.filter((reason) => reason !== "UNKNOWN").map(
      (reason) => describeConnectionStatus("NEEDS_RECONNECT", reason).cause,
    );
    expect(new Set(causes).size).toBe(causes.length);
  });

  it("six months unused says so, in Google's terms", () => {
    expect(describeConnectionStatus("NEEDS_RECONNECT", "UNUSED_TOO_LONG").cause).toContain(
      "had not been used for six months",
    );
  });

  it("the Testing expiry names the 7 days and who can stop it", () => {
    const copy = describeConnectionStatus("NEEDS_RECONNECT", "TESTING_APP_EXPIRY");
    expect(sentence(copy)).toMatch(/Testing mode.*7 days after you approve it.*administrator can publish/);
  });
});

describe("renewal problems that are not the user's", () => {
  it("a server configuration problem is the operator's: no blame, no reconnect, nothing to click", () => {
    const copy = describeConnectionStatus("CONNECTED", null, { kind: "CONFIGURATION", at: new Date() });
    expect(copy).toEqual({
      tone: "warning",
      title: "Server configuration problem",
      cause:
        "Evergreen's server could not renew access to Gmail because of a configuration problem; your administrator has been told.",
      fix: "Nothing for you to do.",
    });
    expect(sentence(copy)).not.toMatch(/reconnect/i);
  });

  it("Google being briefly unavailable is not an error", () => {
    expect(describeConnectionStatus("CONNECTED", null, { kind: "TRANSIENT", at: new Date() }).tone).toBe("ok");
  });

  it("a broken connection is still the user's to reconnect, whatever the server's last problem", () => {
    const copy = describeConnectionStatus("NEEDS_RECONNECT", "REVOKED", { kind: "CONFIGURATION", at: new Date() });
    expect(copy.action).toBe("reconnect");
  });
});

describe("the Testing countdown", () => {
  it("counts down in whole days, warning in the last two", () => {
    expect(reapproveCopy(7)).toMatchObject({ tone: "info", title: "Re-approve within 7 days" });
    expect(reapproveCopy(2)).toMatchObject({ tone: "warning", title: "Re-approve within 2 days" });
    expect(reapproveCopy(1).title).toBe("Re-approve within 1 day");
    expect(reapproveCopy(0).title).toBe("Re-approve now");
    expect(reapproveCopy(3).detail).toContain("7 days after you approve it");
  });
});

describe("the notice when a connection works again", () => {
  it("says how it came back", () => {
    expect(restoredNoticeText("reconnect", "ada@evergreen.test")).toBe(
      "Gmail reconnected. Evergreen can send email from ada@evergreen.test again.",
    );
    expect(restoredNoticeText("renewal", "ada@evergreen.test")).toBe(
      "Gmail connection restored. Evergreen can send email from ada@evergreen.test again.",
    );
  });
});
