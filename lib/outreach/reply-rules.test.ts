import { describe, expect, it } from "vitest";
import { classifyThread, fromAddress, type ThreadMessage } from "./reply-rules";

const ME = "ada@evergreen.test";
const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute));
const sent = (minute = 0): ThreadMessage => ({
  internalDate: at(minute),
  labelIds: ["SENT"],
  headers: { from: `Ada Lovelace <${ME}>` },
});
const from = (address: string, minute: number, headers: Record<string, string> = {}): ThreadMessage => ({
  internalDate: at(minute),
  labelIds: ["INBOX", "UNREAD"],
  headers: { from: address, ...headers },
});

describe("a thread's verdict", () => {
  it("is nothing while only the sender wrote, by label or by address", () => {
    expect(classifyThread([sent(), { ...sent(5), labelIds: [] }], [ME])).toEqual({ autoReplies: 0 });
    expect(classifyThread([from(`"Ada" <ADA@Evergreen.test>`, 3)], [ME])).toEqual({ autoReplies: 0 });
  });

  it("is a reply, at its Gmail date, for a message from anyone else; the earliest counts", () => {
    const verdict = classifyThread(
      [sent(), from("Grace Hopper <grace@evergreen.test>", 40), from("bob@example.com", 20)],
      [ME],
    );
    expect(verdict).toEqual({ reply: { at: at(20) }, autoReplies: 0 });
  });

  it.each([
    ["Auto-Submitted: auto-replied", { "auto-submitted": "auto-replied" }],
    ["Auto-Submitted: auto-generated with a comment", { "auto-submitted": "Auto-Generated; (vacation)" }],
    ["X-Autoreply", { "x-autoreply": "yes" }],
    ["Precedence: bulk", { precedence: "bulk" }],
    ["Precedence: auto_reply", { precedence: "auto_reply" }],
    ["Precedence: junk", { precedence: "Junk" }],
  ])("ignores an auto-reply marked %s, and counts it", (_, headers) => {
    expect(classifyThread([sent(), from("grace@evergreen.test", 5, headers)], [ME])).toEqual({ autoReplies: 1 });
  });

  it("counts Auto-Submitted: no and Precedence: list as a person's reply", () => {
    expect(classifyThread([sent(), from("grace@evergreen.test", 5, { "auto-submitted": "no" })], [ME]).reply).toEqual({
      at: at(5),
    });
    expect(classifyThread([sent(), from("grace@evergreen.test", 6, { precedence: "list" })], [ME]).reply).toEqual({
      at: at(6),
    });
  });

  it("finds a bounce before the Auto-Submitted that bounces carry too", () => {
    const gmailBounce = from("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", 2, {
      "auto-submitted": "auto-replied",
    });
    expect(classifyThread([sent(), gmailBounce], [ME])).toEqual({ bounce: { at: at(2) }, autoReplies: 0 });
    expect(classifyThread([sent(), from("MAILER-DAEMON", 3)], [ME]).bounce).toEqual({ at: at(3) });
    expect(classifyThread([sent(), from("postmaster@example.com", 4)], [ME]).bounce).toEqual({ at: at(4) });
  });

  it("keeps a reply and a bounce apart when a thread has both, beside auto-replies", () => {
    const verdict = classifyThread(
      [
        sent(),
        from("mailer-daemon@googlemail.com", 1),
        from("grace@evergreen.test", 2, { "x-autoreply": "yes" }),
        from("grace@evergreen.test", 30),
      ],
      [ME],
    );
    expect(verdict).toEqual({ bounce: { at: at(1) }, reply: { at: at(30) }, autoReplies: 1 });
  });
});

describe("the address in a From header", () => {
  it.each([
    ["grace@evergreen.test", "grace@evergreen.test"],
    ["Grace Hopper <Grace@Evergreen.test>", "grace@evergreen.test"],
    [`"Hopper, Grace <admiral>" <grace@evergreen.test>`, "grace@evergreen.test"],
    ["", ""],
  ])("%s → %s", (header, address) => {
    expect(fromAddress(header)).toBe(address);
  });
});
