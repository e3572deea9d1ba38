import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  encodeReply,
  omitUnusedArgs,
  readActionResult,
  readFlightRows,
  routeFor,
  type ServerActionEntry,
} from "./server-actions";

// React's own production builds, as Next ships them, are the oracles: the client's encoder, the server's writer.
const compiled = "next/dist/compiled/react-server-dom-webpack/cjs/react-server-dom-webpack";
const reactClient = createRequire(import.meta.url)(`${compiled}-client.node.production.js`) as {
  encodeReply(value: unknown): Promise<string | FormData>;
};

// React's server writer loads only under the react-server condition, so it runs in a node of its own:
// it decodes the value from React's reply encoding and writes it as an action's answer.
const WRITER = `
const { decodeReply, renderToReadableStream } = require("${compiled}-server.edge.production.js");
let input = "";
process.stdin.on("data", (data) => (input += data)).on("end", async () => {
  const { reply, digest } = JSON.parse(input);
  const value = await decodeReply(reply, {});
  const a = digest ? Promise.reject(Object.assign(new Error("database password in here"), { digest })) : Promise.resolve(value);
  const stream = renderToReadableStream({ a, q: "", i: false, b: "build" }, {}, { onError: (error) => error.digest });
  process.stdout.write(Buffer.from(await new Response(stream).arrayBuffer()));
});`;

async function flightBody(value: unknown, options: { throwsWithDigest?: string } = {}): Promise<Uint8Array> {
  const reply = await reactClient.encodeReply(value);
  if (typeof reply !== "string") throw new Error("the writer takes values without forms or blobs");
  const output = execFileSync(process.execPath, ["--conditions", "react-server", "-e", WRITER], {
    input: JSON.stringify({ reply, digest: options.throwsWithDigest }),
  });
  return new Uint8Array(output);
}

async function entriesOf(encoded: string | FormData) {
  if (typeof encoded === "string") return encoded;
  const entries: [string, string][] = [];
  for (const [name, value] of encoded)
    entries.push([name, typeof value === "string" ? value : `${value.name}:${value.type}:${await value.text()}`]);
  return entries.sort(([a], [b]) => a.localeCompare(b));
}

describe("encodeReply sends what React's client sends", () => {
  const form = () => {
    const data = new FormData();
    data.append("to", "ada@evergreen.test");
    data.append("to", "$not-a-reference");
    data.append("attachment", new File(["hello"], "hello.txt", { type: "text/plain" }));
    return data;
  };
  const cases: [string, () => unknown[]][] = [
    ["a plain id", () => ["cmabc123"]],
    ["no arguments", () => []],
    ["values JSON cannot say", () => [undefined, "$x", new Date(0), 10n, NaN, -0, Infinity, -Infinity]],
    ["a previous state and a form", () => [{ ok: false, message: "$1", values: { to: "" } }, form()]],
    ["a form and a Blob", () => [form(), new Blob(["raw"], { type: "text/csv" })]],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      expect(await entriesOf(encodeReply(args()))).toEqual(await entriesOf(await reactClient.encodeReply(args())));
    });
  }

  it("refuses values it would encode differently from React rather than guess", () => {
    expect(() => encodeReply([new Map()])).toThrow(/plain objects/);
    expect(() => encodeReply([() => 1])).toThrow(/function/);
  });
});

describe("omitUnusedArgs leaves out what the action id says it never reads", () => {
  it("keeps both arguments of a (previousState, formData) action", () => {
    expect(omitUnusedArgs("60" + "0".repeat(40), ["state", "form"])).toEqual(["state", "form"]);
  });

  it("keeps only the first of a one-argument action, and nothing of a no-argument one", () => {
    expect(omitUnusedArgs("40" + "0".repeat(40), ["id", "extra"])).toEqual(["id"]);
    expect(omitUnusedArgs("00" + "0".repeat(40), ["anything"])).toEqual([]);
  });

  it("leaves a hole where an unread argument sits before a read one, as React encodes it", () => {
    const kept = omitUnusedArgs("20" + "0".repeat(40), ["unused", "form"]);
    expect(encodeReply(kept)).toBe('["$undefined","form"]');
  });
});

describe("routeFor posts where the browser would", () => {
  const action = (...workers: string[]): ServerActionEntry => ({
    id: "60" + "0".repeat(40),
    filename: "app/(signed-in)/contacts/actions.ts",
    exportedName: "deleteContactAction",
    workers,
  });

  it("picks a page without dynamic segments, route groups dropped from the URL but kept in the tree", () => {
    const route = routeFor(action("app/(signed-in)/contacts/[id]/page", "app/(signed-in)/contacts/new/page"));
    expect(route.path).toBe("/contacts/new");
    expect(route.tree).toEqual([
      "",
      { children: ["(signed-in)", { children: ["contacts", { children: ["new", { children: ["__PAGE__", {}] }] }] }] },
    ]);
  });

  it("prefers the static page where a dynamic one matches the same path", () => {
    const route = routeFor(
      action("app/(signed-in)/contacts/[id]/page", "app/(signed-in)/contacts/new/page"),
      "/contacts/new",
    );
    expect(JSON.stringify(route.tree)).toContain('["new",{"children":["__PAGE__",{}]}]');
  });

  it("fills a dynamic segment from the path asked for", () => {
    const route = routeFor(action("app/(signed-in)/contacts/[id]/page"), "/contacts/c1");
    expect(route.path).toBe("/contacts/c1");
    expect(JSON.stringify(route.tree)).toContain('["id","c1","d"]');
  });

  it("posts an action only a dynamic page uses to that page, with an id that names nothing", () => {
    const route = routeFor(action("app/(signed-in)/contacts/[id]/page"));
    expect(route.path).toBe("/contacts/0");
    expect(JSON.stringify(route.tree)).toContain('["id","0","d"]');
  });

  it("says so when no page of the action matches", () => {
    expect(() => routeFor(action("app/docs/[...slug]/page"))).toThrow(/no page of deleteContactAction/);
    expect(() => routeFor(action("app/(signed-in)/contacts/new/page"), "/outbox")).toThrow(/matches \/outbox/);
  });
});

describe("readActionResult reads what React's server writes", () => {
  it("returns the action's value with every kind of field an ActionState can hold", async () => {
    const state = {
      ok: false,
      message: "$ is kept",
      fieldErrors: { to: ["Add at least one recipient."] },
      values: { to: "", body: "é€😀".repeat(800) },
      queued: { sendAt: new Date("2026-01-02T03:04:05Z"), missing: undefined },
      same: null as unknown,
    };
    state.same = state.fieldErrors;
    const body = await flightBody(state);

    expect(readActionResult(body)).toEqual({ value: state });
  });

  it("returns null and primitives as they are", async () => {
    expect(readActionResult(await flightBody(null))).toEqual({ value: null });
    expect(readActionResult(await flightBody("$x"))).toEqual({ value: "$x" });
    expect(readActionResult(await flightBody(undefined))).toEqual({ value: undefined });
  });

  it("returns only the digest when the action threw, never the message", async () => {
    const body = await flightBody(null, { throwsWithDigest: "4242" });

    expect(readActionResult(body)).toEqual({ error: { digest: "4242" } });
    expect(new TextDecoder().decode(body)).not.toContain("database password");
  });

  it("reads only the value, whatever else the answer streams (the re-rendered page)", () => {
    const body = `0:{"a":"$@1","t":["$","$L2",null,{"children":"$3"}],"b":"x"}\n1:{"ok":true}\n2:I["chunk.js"]\n3:R\n3:C\n`;
    expect(readActionResult(body)).toEqual({ value: { ok: true } });
  });

  it("splits rows by byte length, so a multi-byte text row does not swallow the next", () => {
    const text = "naïve, 😀";
    const length = new TextEncoder().encode(text).length.toString(16);
    const rows = readFlightRows(new TextEncoder().encode(`1:T${length},${text}0:{"a":"$@2","b":"$1"}\n2:"ok"\n`));

    expect(rows.get(1)?.text).toBe(text);
    expect(readActionResult(`1:T${length},${text}0:{"a":"$1"}\n`)).toEqual({ value: text });
  });
});
