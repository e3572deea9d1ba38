import { readFileSync } from "node:fs";
import type { AppSession } from "@/attack/load/session";
import { browser, signIn, type Context } from "./app-client";

/**
 * Checks 2 and 3: what one server hands a browser, the other accepts. A form rendered by server A,
 * posted without JavaScript (as a browser does before hydration) to server B; a session
 * made on A used on B; sign-in attempts counted on both against one limit.
 */

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The hidden inputs of the first form holding `field`, as the browser would post them. */
export function hiddenFieldsOfForm(html: string, field: string): Array<[string, string]> {
  const form = [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)]
    .map((match) => match[0])
    .find((text) => text.includes(`name="${field}"`));
  if (!form) throw new Error(`no form with a ${field} field on the page`);
  return [...form.matchAll(/<input\b[^>]*>/g)]
    .map((match) => match[0])
    .filter((input) => /type="hidden"/.test(input))
    .map((input) => [
      unescapeHtml(/name="([^"]*)"/.exec(input)?.[1] ?? ""),
      unescapeHtml(/value="([^"]*)"/.exec(input)?.[1] ?? ""),
    ]);
}

/** The session both checks share: signed in on server A only. */
export async function signInOnServerA(ctx: Context): Promise<AppSession> {
  const session = browser(ctx, 1).via(ctx.cluster.appUrls[0]!);
  await signIn(ctx, session, "topology-a@evergreen.test");
  return session;
}

export async function actionAcrossServers(ctx: Context, onA: AppSession): Promise<{ ok: boolean; detail: string }> {
  const onB = onA.via(ctx.cluster.appUrls[1]!);
  const page = await onA.fetch("/contacts/new");
  const html = await page.text();
  if (page.status !== 200) throw new Error(`server A answered /contacts/new with ${page.status}`);
  const hidden = hiddenFieldsOfForm(html, "email");
  const actionFields = hidden.filter(([name]) => name.startsWith("$ACTION"));
  const email = `rendered-by-a-${Date.now()}@example.org`;
  const form = new FormData();
  for (const [name, value] of hidden) form.append(name, value);
  form.append("name", "Rendered By A");
  form.append("email", email);
  const answer = await onB.fetch("/contacts/new", { method: "POST", body: form });
  await answer.arrayBuffer();
  const location = answer.headers.get("location") ?? "";
  const { rows } = await ctx.db.query<{ id: string }>(`SELECT id FROM "Contact" WHERE email = $1`, [email]);
  const config = JSON.parse(readFileSync(".next/required-server-files.json", "utf8")) as {
    config: { deploymentId?: string };
  };
  const deploymentId = config.config.deploymentId;
  const ok =
    actionFields.length > 0 &&
    answer.status === 303 &&
    rows.length === 1 &&
    location.includes(`/contacts/${rows[0]!.id}`);
  return {
    ok,
    detail:
      `server A rendered the new-contact form (${actionFields.map(([name]) => name).join(", ") || "no action fields"}); ` +
      `posted to server B as a browser without JavaScript: ${answer.status} to ${location || "nowhere"}, ${rows.length} contact created; ` +
      `one build on both servers, NEXT_SERVER_ACTIONS_ENCRYPTION_KEY the same on each (read at run time), ` +
      `deploymentId ${deploymentId ? `"${deploymentId}"` : "none: .next was built without NEXT_DEPLOYMENT_ID"}`,
  };
}

const SIGN_IN_LIMIT = 30;
const WINDOW_MS = 600_000;

/** The sign-in limit is a fixed 10-minute window: wait out a boundary that would fall inside the check. */
async function awayFromWindowEdge(): Promise<void> {
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 500));
}

export async function sessionsAndLimits(ctx: Context, onA: AppSession): Promise<{ ok: boolean; detail: string }> {
  const [serverA, serverB] = ctx.cluster.appUrls as [string, string];
  const pages = [
    { where: "server A", session: onA },
    { where: "server B", session: onA.via(serverB) },
  ];
  const seen: string[] = [];
  let sessionsOk = true;
  for (const { where, session } of pages) {
    const response = await session.fetch("/dashboard");
    const signedIn = response.status === 200 && (await response.text()).includes("Sign out");
    sessionsOk &&= signedIn;
    seen.push(`${where} ${response.status}${signedIn ? " signed in" : " NOT signed in"}`);
  }

  // One client address, its sign-in starts sent half to each server, as nginx would spread them.
  await awayFromWindowEdge();
  const address = "198.51.100.23";
  const attempt = async (server: string) => {
    const response = await fetch(`${server}/api/auth/signin/google`, {
      method: "POST",
      redirect: "manual",
      headers: {
        origin: ctx.cluster.url,
        "x-forwarded-for": address,
        "x-forwarded-host": new URL(ctx.cluster.url).host,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "callbackUrl=%2Fdashboard",
    });
    await response.arrayBuffer();
    return response.status;
  };
  const within: number[] = [];
  for (let index = 0; index < SIGN_IN_LIMIT; index++) within.push(await attempt(index % 2 === 0 ? serverA : serverB));
  const over = [await attempt(serverA), await attempt(serverB)];
  const limitsOk = within.every((status) => status !== 429) && over.every((status) => status === 429);
  return {
    ok: sessionsOk && limitsOk,
    detail:
      `a session made on server A: ${seen.join(", ")}; sign-in starts from one address, alternating servers: ` +
      `${within.filter((status) => status !== 429).length} of ${SIGN_IN_LIMIT} allowed, then A answered ${over[0]} and B ${over[1]} ` +
      `(the limit is ${SIGN_IN_LIMIT} per 10 minutes; each server got ${SIGN_IN_LIMIT / 2 + 1} of the attempts)`,
  };
}
