import { describe, expect, it } from "vitest";
import { gmailMessageUrl } from "./timeline";

describe("gmailMessageUrl", () => {
  const sent = { status: "SENT" as const, gmailThreadId: "18c2f0a1b2c3d4e5", rfc822MessageId: "<abc.1@x.test>" };

  it("opens a sent message's thread in the sending account", () => {
    expect(gmailMessageUrl("ada@example.com", sent)).toBe(
      "https://mail.google.com/mail/u/ada%40example.com/#sent/18c2f0a1b2c3d4e5",
    );
    expect(gmailMessageUrl(null, sent)).toBe("https://mail.google.com/mail/u/0/#sent/18c2f0a1b2c3d4e5");
  });

  it("searches by Message-ID when Gmail's answer was lost, and links nothing not sent", () => {
    expect(gmailMessageUrl("ada@example.com", { ...sent, status: "UNKNOWN", gmailThreadId: null })).toBe(
      "https://mail.google.com/mail/u/ada%40example.com/#search/rfc822msgid%3Aabc.1%40x.test",
    );
    expect(gmailMessageUrl("ada@example.com", { ...sent, status: "QUEUED", gmailThreadId: null })).toBeNull();
    expect(gmailMessageUrl("ada@example.com", { ...sent, gmailThreadId: "../../evil" })).toContain("#search/");
  });
});
