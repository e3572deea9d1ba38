import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * Calls the app's server actions over plain HTTP, exactly as Next's router does in the browser: the
 * action id in `Next-Action`, the page's route in `Next-Router-State-Tree`, the arguments encoded as
 * React's `encodeReply` encodes them, and the `text/x-component` answer read back into a value.
 */

/** One server action of a build, as `.next/server/server-reference-manifest.json` lists it. */
export type ServerActionEntry = {
  id: string;
  filename: string;
  exportedName: string;
  /** The pages whose bundle holds the action, e.g. `app/(signed-in)/compose/page`. */
  workers: string[];
};

export type ActionCall = {
  baseUrl: string;
  /** The Cookie header, e.g. a session. */
  cookie?: string;
  /** The Origin header: the base URL's origin unless given; `null` sends none. */
  origin?: string | null;
  /** The action's arguments, as the component would pass them (plain values, FormData, Blobs). */
  args?: unknown[];
  /** The page to post to; by default the first of the action's pages without dynamic segments. */
  path?: string;
  /** Sent instead of the encoded arguments, for requests React would never make. */
  body?: string | FormData;
  headers?: Record<string, string>;
};

export type ActionResponse = {
  status: number;
  headers: Headers;
  /** The action's return value, when the answer carries one (not after a redirect or a throw). */
  value?: unknown;
  /** The action threw: production React keeps only the digest. */
  error?: { digest?: string };
  /** Where the action redirected (`x-action-redirect`), as the browser would then navigate. */
  redirect?: string;
  /** The whole body as text, for scans. */
  text: string;
};

export class ServerActions {
  constructor(readonly list: ServerActionEntry[]) {}

  /** An action by its exported name, or by file and name when two files export the same name. */
  get(name: string | { filename: string; exportedName: string }): ServerActionEntry {
    const matches = this.list.filter((entry) =>
      typeof name === "string"
        ? entry.exportedName === name
        : entry.exportedName === name.exportedName && entry.filename === name.filename,
    );
    if (matches.length !== 1)
      throw new Error(`${matches.length} server actions match ${JSON.stringify(name)}; the build has ${this.names()}`);
    return matches[0]!;
  }

  call(name: string | ServerActionEntry, call: ActionCall): Promise<ActionResponse> {
    return callServerAction(typeof name === "string" ? this.get(name) : name, call);
  }

  private names(): string {
    return this.list.map((entry) => `${entry.filename}#${entry.exportedName}`).join(", ");
  }
}

/** Every server action of the build in `distDir` (`.next`). */
export async function loadServerActions(distDir = ".next"): Promise<ServerActions> {
  const file = path.join(distDir, "server", "server-reference-manifest.json");
  const manifest = JSON.parse(await readFile(file, "utf8")) as Record<
    string,
    Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }>
  >;
  const list = ["node", "edge"].flatMap((runtime) =>
    Object.entries(manifest[runtime] ?? {}).map(([id, entry]) => ({
      id,
      filename: entry.filename,
      exportedName: entry.exportedName,
      workers: Object.keys(entry.workers),
    })),
  );
  return new ServerActions(list);
}

export async function callServerAction(action: ServerActionEntry, call: ActionCall): Promise<ActionResponse> {
  const route = routeFor(action, call.path);
  const body = call.body ?? encodeReply(omitUnusedArgs(action.id, call.args ?? []));
  const origin = call.origin === undefined ? new URL(call.baseUrl).origin : call.origin;
  const response = await fetch(new URL(route.path, call.baseUrl), {
    method: "POST",
    redirect: "manual",
    headers: {
      Accept: "text/x-component",
      "Next-Action": action.id,
      "Next-Router-State-Tree": encodeURIComponent(JSON.stringify(route.tree)),
      ...(origin === null ? {} : { Origin: origin }),
      ...(call.cookie ? { Cookie: call.cookie } : {}),
      ...call.headers,
    },
    body,
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const redirect = response.headers.get("x-action-redirect")?.split(";")[0] || undefined;
  const answer: ActionResponse = {
    status: response.status,
    headers: response.headers,
    redirect,
    text: new TextDecoder().decode(bytes),
  };
  if (redirect || !response.headers.get("content-type")?.startsWith("text/x-component")) return answer;
  return { ...answer, ...readActionResult(bytes) };
}

/** Next's client leaves out the arguments the action never reads: the id's first byte says which. */
export function omitUnusedArgs(actionId: string, args: unknown[]): unknown[] {
  const info = parseInt(actionId.slice(0, 2), 16);
  const usedMask = (info >> 1) & 0x3f;
  const hasRestArgs = (info & 1) === 1;
  const used = args.map((_, index) => (index < 6 ? ((usedMask >> (5 - index)) & 1) === 1 : hasRestArgs));
  const kept = new Array<unknown>(used.lastIndexOf(true) + 1);
  used.forEach((isUsed, index) => {
    if (isUsed) kept[index] = args[index];
  });
  return kept;
}

type RouterState = [segment: string | [string, string, string], children: Record<string, RouterState>];

/** The URL to post to and the router state the browser would send from it. */
export function routeFor(action: ServerActionEntry, requestedPath?: string): { path: string; tree: RouterState } {
  // A static page before a dynamic one that matches the same path (/contacts/new, not /contacts/[id]).
  const dynamicSegments = (worker: string) => worker.split("[").length;
  for (const worker of action.workers.toSorted((a, b) => dynamicSegments(a) - dynamicSegments(b))) {
    const segments = worker
      .replace(/^app\//, "")
      .replace(/\/?page$/, "")
      .split("/")
      .filter(Boolean);
    const pathSegments = (requestedPath ?? "").split("?")[0]!.split("/").filter(Boolean);
    const routeSegments = segments.filter((segment) => !/^\(.*\)$/.test(segment));
    if (requestedPath === undefined && routeSegments.some((segment) => segment.startsWith("["))) continue;
    if (requestedPath !== undefined && !matches(routeSegments, pathSegments)) continue;
    const values = new Map(routeSegments.map((segment, index) => [segment, pathSegments[index] ?? segment]));
    let tree: RouterState = ["__PAGE__", {}];
    for (const segment of segments.toReversed())
      tree = [routerSegment(segment, values.get(segment)), { children: tree }];
    return { path: requestedPath ?? `/${routeSegments.join("/")}`, tree: ["", { children: tree }] };
  }
  // An action only a dynamic page uses (a contact's resubscribe): that page, with an id that names
  // nothing, since the action runs before the page renders.
  const dynamicOnly = requestedPath === undefined && action.workers.find((worker) => !worker.includes("[..."));
  if (dynamicOnly) {
    const segments = dynamicOnly
      .replace(/^app\//, "")
      .replace(/\/?page$/, "")
      .split("/");
    const path = segments.filter((segment) => segment && !/^\(.*\)$/.test(segment));
    return routeFor(action, `/${path.map((segment) => (segment.startsWith("[") ? "0" : segment)).join("/")}`);
  }
  throw new Error(
    `no page of ${action.exportedName} matches ${requestedPath ?? "without dynamic segments"}: ${action.workers.join(", ")}`,
  );
}

function matches(routeSegments: string[], pathSegments: string[]): boolean {
  if (routeSegments.some((segment) => segment.startsWith("[..."))) return false;
  return (
    routeSegments.length === pathSegments.length &&
    routeSegments.every((segment, index) => segment.startsWith("[") || segment === pathSegments[index])
  );
}

function routerSegment(segment: string, value: string | undefined): RouterState[0] {
  const dynamic = /^\[(.+)\]$/.exec(segment);
  return dynamic ? [dynamic[1]!, decodeURIComponent(value ?? ""), "d"] : segment;
}

/**
 * React's `encodeReply` for the values actions take: JSON text, or multipart once a FormData or Blob
 * is among them (field `0` holds the JSON; a FormData's fields go under `_<part>_` prefixes).
 */
export function encodeReply(args: unknown[]): string | FormData {
  let form: FormData | undefined;
  let nextPart = 1;
  const parts = () => (form ??= new FormData());
  const json = JSON.stringify(args, function (this: Record<string, unknown>, key, value: unknown) {
    const original = this[key];
    if (original instanceof Date) return `$D${value as string}`;
    if (typeof value === "string") return value.startsWith("$") ? `$${value}` : value;
    if (value === undefined) return "$undefined";
    if (typeof value === "bigint") return `$n${value}`;
    if (typeof value === "number") {
      if (Object.is(value, -0)) return "$-0";
      if (Number.isFinite(value)) return value;
      return Number.isNaN(value) ? "$NaN" : value > 0 ? "$Infinity" : "$-Infinity";
    }
    if (value instanceof FormData) {
      const part = nextPart++;
      value.forEach((field, name) => parts().append(`_${part}_${name}`, field));
      return `$K${part.toString(16)}`;
    }
    if (value instanceof Blob) {
      const part = nextPart++;
      parts().append(String(part), value);
      return `$B${part.toString(16)}`;
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null)
        throw new Error(`encodeReply here takes plain objects, FormData and Blobs, not ${value.constructor?.name}`);
    }
    if (typeof value === "function" || typeof value === "symbol")
      throw new Error(`encodeReply cannot send a ${typeof value}`);
    return value;
  });
  if (!form) return json;
  form.set("0", json);
  return form;
}

type Row = { tag: string; text: string; bytes: Uint8Array };

// Rows whose tag is followed by a hex byte length and a comma instead of ending at a newline.
const LENGTH_PREFIXED = new Set("TAOobUSsLlGgMmV");
const NEWLINE = 10;
const COLON = 58;
const COMMA = 44;

/** The rows of a React Flight (`text/x-component`) body by id; a row seen twice keeps its last value. */
export function readFlightRows(body: Uint8Array): Map<number, Row> {
  const rows = new Map<number, Row>();
  const decoder = new TextDecoder();
  let at = 0;
  while (at < body.length) {
    const colon = body.indexOf(COLON, at);
    if (colon < 0) throw new Error(`a Flight row without an id at byte ${at}`);
    const id = parseInt(decoder.decode(body.subarray(at, colon)) || "0", 16);
    let tag = String.fromCharCode(body[colon + 1] ?? NEWLINE);
    let start = colon + 2;
    let end: number;
    if (LENGTH_PREFIXED.has(tag) || tag === "b") {
      const comma = body.indexOf(COMMA, start);
      end = comma + 1 + parseInt(decoder.decode(body.subarray(start, comma)), 16);
      start = comma + 1;
      at = end;
    } else {
      // A model row has no tag: its JSON starts right after the colon.
      if (!/^[A-Z#rx]$/.test(tag)) [tag, start] = ["", colon + 1];
      end = body.indexOf(NEWLINE, start);
      if (end < 0) end = body.length;
      at = end + 1;
    }
    const bytes = body.subarray(start, end);
    rows.set(id, { tag, text: decoder.decode(bytes), bytes });
  }
  return rows;
}

class ThrownByServer {
  constructor(readonly digest: string | undefined) {}
}

/** What React's client resolves an action response to: the value under `a`, or the error it threw. */
export function readActionResult(body: Uint8Array | string): Pick<ActionResponse, "value" | "error"> {
  const rows = readFlightRows(typeof body === "string" ? new TextEncoder().encode(body) : body);
  const resolved = new Map<number, unknown>();

  // A row is registered before its fields are revived (in place), because a field may point back into
  // the row itself: React writes an object seen twice as a path like "$1:fieldErrors".
  const chunk = (id: number): unknown => {
    if (resolved.has(id)) return resolved.get(id);
    const row = rows.get(id);
    if (!row) throw new Error(`the Flight body has no row ${id}`);
    if (row.tag === "E") resolved.set(id, new ThrownByServer((JSON.parse(row.text) as { digest?: string }).digest));
    else if (row.tag === "T") resolved.set(id, row.text);
    else if (LENGTH_PREFIXED.has(row.tag) || row.tag === "b") resolved.set(id, row.bytes);
    else if (row.tag === "" || row.tag === "I") {
      const holder: Record<string, unknown> = { value: JSON.parse(row.text) };
      resolved.set(id, holder.value);
      reviveField(holder, "value");
      resolved.set(id, holder.value);
    }
    // Streams, hints and module rows carry no value an action returns.
    return resolved.get(id);
  };

  const outlined = (reference: string): unknown => {
    const [id, ...keys] = reference.split(":");
    let value = chunk(parseInt(id!, 16));
    for (const key of keys) value = (value as Record<string, unknown>)[key];
    return value;
  };

  const reviveField = (container: Record<string, unknown>, key: string) => {
    const value = container[key];
    if (typeof value === "object" && value !== null) {
      for (const field of Object.keys(value)) reviveField(value as Record<string, unknown>, field);
    } else {
      container[key] = revive(value);
    }
  };

  const revive = (value: unknown): unknown => {
    if (typeof value !== "string" || !value.startsWith("$") || value === "$") return value;
    const rest = value.slice(2);
    switch (value[1]) {
      case "$":
        return value.slice(1);
      case "@":
      case "L":
        return outlined(rest);
      case "u":
      case "w":
      case "H":
      case "T":
        return undefined;
      case "D":
        return new Date(rest);
      case "n":
        return BigInt(rest);
      case "I":
        return Infinity;
      case "N":
        return NaN;
      case "-":
        return value === "$-0" ? -0 : -Infinity;
      case "S":
        return Symbol.for(rest);
      case "Z":
        return new ThrownByServer(undefined);
      case "Q":
        return new Map(outlined(rest) as [unknown, unknown][]);
      case "W":
        return new Set(outlined(rest) as unknown[]);
      case "K": {
        const form = new FormData();
        for (const [name, field] of outlined(rest) as [string, string][]) form.append(name, field);
        return form;
      }
      case "i":
        return outlined(rest);
      case "B":
      case "h":
        return { reference: value };
      default:
        return outlined(value.slice(1));
    }
  };

  // Only the action's value is read: the rest of the root is the re-rendered page (the `t` tree).
  const root = rows.get(0);
  if (!root) throw new Error("the Flight body has no root row");
  const holder = { value: (JSON.parse(root.text) as { a?: unknown }).a };
  reviveField(holder, "value");
  return holder.value instanceof ThrownByServer ? { error: { digest: holder.value.digest } } : { value: holder.value };
}
