import { createRequire } from "node:module";
import type { NextConfig } from "next";
import { describe, expect, it } from "vitest";
import { MAX_ATTACHMENTS_BYTES, MAX_BODY_LENGTH, MAX_RECIPIENTS, MAX_SUBJECT_LENGTH } from "./messages";
import { ACTION_BODY_LIMIT, malformedActionBodyStatus } from "./server-action-body";

const nextConfig = createRequire(import.meta.url)("../next.config.js") as NextConfig;
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
