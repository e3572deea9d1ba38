import { randomBytes } from "node:crypto";
import { computeCacheBustingSearchParam } from "next/dist/shared/lib/router/utils/cache-busting-search-param";
import type { ComposeState } from "@/app/(signed-in)/compose/actions";
import type { AppSession } from "./session";
import type { Sample } from "./stats";

/**
 * One person using Evergreen for the length of the run: opens pages with a pause between them, as
 * a browser does (full HTML loads, and client navigations that fetch only the RSC payload), and
 * sends a message every few seconds, sometimes submitting the same form twice.
 */

export type SendOutcome = { status: number; state?: ComposeState };
export type SendAction = (session: AppSession, form: FormData) => Promise<SendOutcome>;

/** A message the app accepted (answered ok with an outbox row), by the form's idempotency key. */
export type AcceptedSend = { key: string; id: string; subject: string; user: string };

export type DuplicateSubmit = { key: string; ids: string[]; duplicateFlags: boolean[]; statuses: number[] };

export type VirtualUserOptions = {
  index: number;
  email: string;
  session: AppSession;
  runToken: string;
  until: number;
  send: SendAction;
  record: (sample: Sample) => void;
  /** Gaps between one user's sends: well under the per-user send limit. */
  sendEveryMs: [number, number];
  thinkMs: [number, number];
  /** Share of sends whose form is submitted a second time with the same idempotency key. */
  duplicateShare: number;
};

export type VirtualUserResult = {
  accepted: AcceptedSend[];
  refused: string[];
  duplicates: DuplicateSubmit[];
  /** Pages answered 200 with the wrong kind of body: not the signed-in HTML, or not an RSC payload. */
  wrongBodies: string[];
};

const RECIPIENTS = ["pat@example.net", "sam@example.org", "lee@example.com", "kim@example.net", "ray@example.org"];
const SEARCHES = ["a", "son", "lo", "ex", "e", "no-such-contact"];

const between = ([low, high]: [number, number]) => low + Math.random() * (high - low);
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why a request got no answer, with undici's underlying cause (e.g. "other side closed"). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

// A client navigation from the dashboard: the router's state sent in a header, and `_rsc` derived from it as
// Next's router does (the server answers 307 to a request whose `_rsc` does not match its headers).
const FROM_DASHBOARD = encodeURIComponent(
  JSON.stringify(["", { children: ["(signed-in)", { children: ["dashboard", { children: ["__PAGE__", {}] }] }] }]),
);

async function rscRequest(path: string): Promise<{ path: string; headers: Record<string, string> }> {
  const url = new URL(path, "http://x");
  url.searchParams.set("_rsc", await computeCacheBustingSearchParam(undefined, undefined, FROM_DASHBOARD, undefined));
  return { path: url.pathname + url.search, headers: { rsc: "1", "next-router-state-tree": FROM_DASHBOARD } };
}

type Visit = { route: string; path: () => string | undefined; rsc?: boolean; weight: number };

export async function runVirtualUser(options: VirtualUserOptions): Promise<VirtualUserResult> {
  const { session, record } = options;
  const result: VirtualUserResult = { accepted: [], refused: [], duplicates: [], wrongBodies: [] };
  let contactPaths: string[] = [];
  let sent = 0;

  const visits: Visit[] = [
    { route: "GET /dashboard", path: () => "/dashboard", weight: 3 },
    { route: "GET /contacts", path: () => "/contacts", weight: 3 },
    { route: "GET /contacts?q=", path: () => `/contacts?q=${encodeURIComponent(pick(SEARCHES))}`, weight: 2 },
    { route: "GET /contacts/[id]", path: () => (contactPaths.length ? pick(contactPaths) : undefined), weight: 2 },
    { route: "GET /compose", path: () => "/compose", weight: 2 },
    { route: "GET /outbox", path: () => "/outbox", weight: 2 },
    { route: "GET /settings", path: () => "/settings", weight: 1 },
    { route: "RSC /dashboard", path: () => "/dashboard", rsc: true, weight: 1 },
    { route: "RSC /contacts", path: () => "/contacts", rsc: true, weight: 1 },
    { route: "RSC /outbox", path: () => "/outbox", rsc: true, weight: 1 },
  ];
  const totalWeight = visits.reduce((sum, visit) => sum + visit.weight, 0);
  const chooseVisit = () => {
    let roll = Math.random() * totalWeight;
    for (const visit of visits) if ((roll -= visit.weight) < 0) return visit;
    return visits[0]!;
  };

  const timed = async (
    route: string,
    request: () => Promise<Response>,
  ): Promise<{ status: number; type: string; body: string }> => {
    const started = performance.now();
    try {
      const response = await request();
      const body = await response.text();
      record({ route, status: response.status, ms: performance.now() - started });
      return { status: response.status, type: response.headers.get("content-type") ?? "", body };
    } catch (error) {
      record({ route, status: 0, ms: performance.now() - started, error: describeNetworkError(error) });
      return { status: 0, type: "", body: "" };
    }
  };

  const browse = async (visit: Visit) => {
    const page = visit.path();
    if (!page) return;
    const { path, headers } = visit.rsc ? await rscRequest(page) : { path: page, headers: {} };
    const { status, type, body } = await timed(visit.route, () => session.fetch(path, { headers }));
    if (status !== 200) return;
    // The signed-in layout's Sign out button proves the page was rendered for this user.
    const right = visit.rsc
      ? type.startsWith("text/x-component")
      : type.startsWith("text/html") && body.includes("Sign out");
    if (!right) result.wrongBodies.push(`${visit.route}: ${type}, ${body.length} bytes`);
    if (!visit.rsc && path.startsWith("/contacts")) {
      const found = [...body.matchAll(/href="(\/contacts\/[a-z0-9]{20,})"/g)].map((match) => match[1]!);
      if (found.length > 0) contactPaths = [...new Set(found)];
    }
  };

  const submit = async (form: FormData): Promise<SendOutcome> => {
    const started = performance.now();
    try {
      const outcome = await options.send(session, form);
      record({ route: "POST sendMessageAction", status: outcome.status, ms: performance.now() - started });
      return outcome;
    } catch (error) {
      record({
        route: "POST sendMessageAction",
        status: 0,
        ms: performance.now() - started,
        error: describeNetworkError(error),
      });
      return { status: 0 };
    }
  };

  const sendOne = async () => {
    sent += 1;
    const key = randomBytes(18).toString("base64url");
    const subject = `[${options.runToken}] user ${options.index} message ${sent}`;
    const form = new FormData();
    for (const to of new Set([pick(RECIPIENTS), pick(RECIPIENTS)])) form.append("to", to);
    form.append("subject", subject);
    form.append("body", `Load test message ${sent} from ${options.email}.\n\nKey ${key}.`);
    form.append("idempotencyKey", key);

    const twice = Math.random() < options.duplicateShare;
    // Half the repeats are a double click (both in flight), half a retry after the first answer.
    const outcomes =
      twice && Math.random() < 0.5
        ? await Promise.all([submit(form), submit(form)])
        : twice
          ? [await submit(form), await submit(form)]
          : [await submit(form)];

    const ids = outcomes.map((outcome) => outcome.state?.queued?.id).filter((id): id is string => Boolean(id));
    const id = ids[0];
    if (id) result.accepted.push({ key, id, subject, user: options.email });
    else result.refused.push(`${subject}: ${outcomes.map((o) => `${o.status} ${o.state?.message ?? ""}`).join(", ")}`);
    if (twice)
      result.duplicates.push({
        key,
        ids,
        duplicateFlags: outcomes.map((outcome) => outcome.state?.queued?.duplicate ?? false),
        statuses: outcomes.map((outcome) => outcome.status),
      });
  };

  let nextSendAt = Date.now() + between([0, options.sendEveryMs[1]]);
  while (Date.now() < options.until) {
    if (Date.now() >= nextSendAt) {
      await sendOne();
      nextSendAt = Date.now() + between(options.sendEveryMs);
    } else {
      await browse(chooseVisit());
    }
    await sleep(Math.min(between(options.thinkMs), Math.max(0, options.until - Date.now())));
  }
  return result;
}
