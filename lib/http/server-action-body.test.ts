import { createRequire } from "node:module";
import type { NextConfig } from "next";
import { describe, expect, it } from "vitest";
import {
  MAX_ATTACHMENTS,
  MAX_ATTACHMENTS_BYTES,
  MAX_BODY_LENGTH,
  MAX_RECIPIENTS,
  MAX_SUBJECT_LENGTH,
} from "../mail/compose";
import {
  ACTION_BODY_LIMIT,
  ANONYMOUS_ACTION_BODY_LIMIT,
  inspectActionBody,
  malformedActionBodyStatus,
  MAX_ACTION_BODY_PARTS,
} from "./server-action-body";

const nextConfig = createRequire(import.meta.url)("../../next.config.js") as NextConfig;
const ACTION = { "next-action": "40323d5d625a525a8149bd91db55edd8c6c846854e" };

function post(body: BodyInit, headers: Record<string, string>) {
  return new Request("http://localhost:3100/sign-in", { method: "POST", body, headers });
}

function multipart(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

describe("server action bodies Next.js could decode pass through", () => {
  it("a form submitted by the browser (multipart, arguments in field 0)", async () => {
    const body = multipart({ _1_callbackUrl: "/dashboard", "0": '["$K1"]' });
    expect(
      await malformedActionBodyStatus(new Request("http://x/", { method: "POST", body, headers: ACTION })),
    ).toBeUndefined();
  });

  it("plain JSON arguments", async () => {
    expect(
      await malformedActionBodyStatus(post("[]", { ...ACTION, "content-type": "text/plain;charset=UTF-8" })),
    ).toBeUndefined();
  });

  it("a no-JavaScript form post (multipart without the header)", async () => {
    expect(
      await malformedActionBodyStatus(
        new Request("http://x/", { method: "POST", body: multipart({ $ACTION_ID_abc: "" }) }),
      ),
    ).toBeUndefined();
  });

  it("anything that is not a possible server action", async () => {
    expect(
      await malformedActionBodyStatus(post("csrfToken=x", { "content-type": "application/x-www-form-urlencoded" })),
    ).toBeUndefined();
    expect(await malformedActionBodyStatus(new Request("http://x/", { headers: ACTION }))).toBeUndefined();
  });
});

describe("arguments React's decoder can read pass through", () => {
  it("plain values in every encoding React's client uses for them", async () => {
    const args = '["$undefined","$D2020-01-01T00:00:00.000Z","$n12","$$x","$NaN","$-0","$K1","$T",{"again":"$0:0"}]';
    expect(
      await malformedActionBodyStatus(post(args, { ...ACTION, "content-type": "text/plain;charset=UTF-8" })),
    ).toBeUndefined();
  });

  it("pointers to fields the multipart body has: a Map's entries, a file", async () => {
    const body = multipart({ "0": '["$Q1","$B2"]', "1": '[["a",1]]' });
    body.append("2", new Blob(["x"]));
    expect(
      await malformedActionBodyStatus(new Request("http://x/", { method: "POST", body, headers: ACTION })),
    ).toBeUndefined();
  });
});

describe("arguments that point nowhere get a 400 instead of Next.js's 500", () => {
  it.each(['["$Q1"]', '["$1"]', '["$1:a"]', '["$@1"]', '["$B1"]', '["$nx"]', '["$Z"]', '["$"]', '[{"a":["$W2"]}]'])(
    "400 for %s in a text body, which has no other fields",
    async (args) => {
      expect(await malformedActionBodyStatus(post(args, { ...ACTION, "content-type": "text/plain" }))).toBe(400);
    },
  );

  it.each(['["$h1"]', '["$R1"]', '["$x"]'])("400 for %s: a kind of value no action takes", async (args) => {
    expect(await malformedActionBodyStatus(post(args, { ...ACTION, "content-type": "text/plain" }))).toBe(400);
  });

  it("400 for a multipart body whose pointers miss, or hit a field of the wrong kind", async () => {
    const cases: Record<string, string>[] = [
      { "0": '["$Q5"]' },
      { "0": '["$B1"]', "1": "not a file" },
      { "0": '["$1"]', "1": '["$Q9"]' },
    ];
    for (const fields of cases) {
      const request = new Request("http://x/", { method: "POST", body: multipart(fields), headers: ACTION });
      expect(await malformedActionBodyStatus(request), JSON.stringify(fields)).toBe(400);
    }
  });
});

describe("malformed server action bodies get a 4xx instead of Next.js's 500", () => {
  it.each([
    ["garbage multipart", "garbage", "multipart/form-data; boundary=----X"],
    ["multipart without a boundary", "garbage", "multipart/form-data"],
    ["text that is not JSON", "{{", "text/plain"],
    ["JSON that is not an argument list", "{}", "text/plain"],
    [
      "multipart without the arguments field",
      '------X\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n------X--\r\n',
      "multipart/form-data; boundary=----X",
    ],
    [
      "multipart whose arguments are not JSON",
      '------X\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$K1"\r\n------X--\r\n',
      "multipart/form-data; boundary=----X",
    ],
  ])("400 for %s", async (_, body, contentType) => {
    expect(await malformedActionBodyStatus(post(body, { ...ACTION, "content-type": contentType }))).toBe(400);
  });

  it("400 for a no-JavaScript form post whose multipart body does not parse", async () => {
    expect(
      await malformedActionBodyStatus(post("garbage", { "content-type": "multipart/form-data; boundary=----X" })),
    ).toBe(400);
  });

  it.each(["application/json", "application/x-www-form-urlencoded", ""])(
    "415 for a fetch action sent as %j",
    async (contentType) => {
      expect(await malformedActionBodyStatus(post("[]", { ...ACTION, "content-type": contentType }))).toBe(415);
    },
  );

  it("413 for a body over Next.js's limit", async () => {
    const big = `[${'"a",'.repeat(ACTION_BODY_LIMIT / 4)}"a"]`;
    expect(await malformedActionBodyStatus(post(big, { ...ACTION, "content-type": "text/plain" }))).toBe(413);
  });
});

describe("the action body limit", () => {
  it("is the one next.config.js gives Next.js, and the proxy sees more than it", () => {
    const megabytes = (value: unknown) => Number(/^(\d+)mb$/.exec(String(value))?.[1]) * 1024 * 1024;
    expect(megabytes(nextConfig.experimental?.serverActions?.bodySizeLimit)).toBe(ACTION_BODY_LIMIT);
    expect(megabytes(nextConfig.experimental?.proxyClientMaxBodySize)).toBeGreaterThan(ACTION_BODY_LIMIT);
  });

  it("fits the largest message compose can send, in UTF-8, with room for the form", () => {
    const largest = MAX_ATTACHMENTS_BYTES + 4 * (MAX_BODY_LENGTH + MAX_SUBJECT_LENGTH) + MAX_RECIPIENTS * 254;
    expect(ACTION_BODY_LIMIT - largest).toBeGreaterThan(1024 * 1024);
  });
});

describe("what the request boundary learns of an action", () => {
  it("a fetch action is named by its header, a no-JavaScript form post by its $ACTION_ID_ field", async () => {
    expect(await inspectActionBody(post("[]", { ...ACTION, "content-type": "text/plain" }))).toEqual({
      actionId: ACTION["next-action"],
    });
    const form = new Request("http://x/", { method: "POST", body: multipart({ $ACTION_ID_40abc: "", email: "a" }) });
    expect(await inspectActionBody(form)).toEqual({ actionId: "40abc" });
  });

  it("a form post of a bound action is named by the id its $ACTION_REF_ points to, when its arguments decode", async () => {
    const bound = multipart({
      $ACTION_REF_1: "",
      "$ACTION_1:0": '{"id":"60bound","bound":"$@1"}',
      "$ACTION_1:1": '["contact-id"]',
      name: "Ada",
    });
    expect(await inspectActionBody(new Request("http://x/", { method: "POST", body: bound }))).toEqual({
      actionId: "60bound",
    });
  });

  it.each([
    ["bound arguments that point nowhere", { $ACTION_REF_1: "", "$ACTION_1:0": '{"id":"60a","bound":"$@1"}' }],
    ["a forward reference", { $ACTION_REF_1: "", "$ACTION_1:0": '{"id":"60a","bound":"$Q2"}' }],
    ["no metadata", { $ACTION_REF_1: "" }],
    ["metadata that is not an object", { $ACTION_REF_1: "", "$ACTION_1:0": '["60a"]' }],
    ["an id that is not a string", { $ACTION_REF_1: "", "$ACTION_1:0": '{"id":7,"bound":null}' }],
  ])("400 for a bound form post with %s (Next.js: 500)", async (_, fields) => {
    expect(await inspectActionBody(new Request("http://x/", { method: "POST", body: multipart(fields) }))).toEqual({
      status: 400,
    });
  });

  it("400 for arguments nested deeper than any action takes, instead of exhausting the stack", async () => {
    const deep = `${"[".repeat(4000)}${"]".repeat(4000)}`;
    expect(await malformedActionBodyStatus(post(deep, { ...ACTION, "content-type": "text/plain" }))).toBe(400);
    const object = `[${'{"a":'.repeat(100)}1${"}".repeat(100)}]`;
    expect(await malformedActionBodyStatus(post(object, { ...ACTION, "content-type": "text/plain" }))).toBe(400);
  });
});

describe("how much an action body may hold", () => {
  const overAnonymousLimit = multipart({ $ACTION_ID_40abc: "", note: "x".repeat(ANONYMOUS_ACTION_BODY_LIMIT) });
  const anonymous = { bodyLimit: async () => ANONYMOUS_ACTION_BODY_LIMIT };

  it("413 past the limit the boundary gives (a small one without a session), read no further", async () => {
    expect(
      await malformedActionBodyStatus(
        new Request("http://x/", { method: "POST", body: overAnonymousLimit }),
        anonymous,
      ),
    ).toBe(413);
    expect(
      await malformedActionBodyStatus(new Request("http://x/", { method: "POST", body: overAnonymousLimit })),
    ).toBeUndefined();
  });

  it("413 from a declared length alone, and from a streamed body without one", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16 * 1024).fill(91));
      },
    });
    const streamed = new Request("http://x/", {
      method: "POST",
      body: endless,
      headers: { ...ACTION, "content-type": "text/plain" },
      duplex: "half",
    } as RequestInit);
    expect(await malformedActionBodyStatus(streamed, anonymous)).toBe(413);
    expect(pulled).toBeLessThan(10);

    const declared = post("[]", { ...ACTION, "content-type": "text/plain", "content-length": String(10 ** 9) });
    expect(await malformedActionBodyStatus(declared, anonymous)).toBe(413);
  });

  it(`413 for more than ${MAX_ACTION_BODY_PARTS} parts, before parsing them; compose's largest form is far below`, async () => {
    const many = new FormData();
    many.append("$ACTION_ID_40abc", "");
    for (let i = 0; i < MAX_ACTION_BODY_PARTS; i++) many.append("_1_to", "a@b.co");
    expect(await malformedActionBodyStatus(new Request("http://x/", { method: "POST", body: many }))).toBe(413);
    expect(MAX_RECIPIENTS + MAX_ATTACHMENTS + 20).toBeLessThan(MAX_ACTION_BODY_PARTS / 2);
  });
});
