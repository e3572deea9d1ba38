import { randomInt } from "node:crypto";
import { maxHeaderSize } from "node:http";
import type { Page } from "@playwright/test";
import { callServerAction, loadServerActions } from "@/test-support/server-actions";
import {
  describeHostile,
  HOSTILE_INPUTS,
  hostileQueryShapes,
  PWNED,
  type HostileInput,
} from "../../attack/hostile-inputs";
import {
  CONTACT_FIELD_LABELS,
  CONTACT_FIELDS,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  type ContactField,
} from "@/lib/crm/contact-fields";
import { withAppDatabase } from "../app-database";
import { E2E } from "../e2e-config";
import { expect, test } from "../signed-in";

// The hostile-input corpus against the production build: every query parameter of every page and
// every id an action takes over plain HTTP (never a 5xx, never an error page, never markup), then the
// real forms in Chromium, many values per submission (a field error at that field, or saved and shown
// back as text), with a tripwire for any script that runs.

const HEAVY = process.env.ATTACK_SCALE === "heavy";
test.describe.configure({ timeout: HEAVY ? 600_000 : 120_000 });

const corpus = HOSTILE_INPUTS;
// What the browser sends for a value: a URL or a form carries UTF-8, where half a surrogate pair is U+FFFD.
const wellFormed = (value: string) => value.replace(/\p{Cs}/gu, "\ufffd");
const inUrl = (input: HostileInput) =>
  input.kind === "encoded" ? input.value : encodeURIComponent(wellFormed(input.value));

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const cookieOf = async (page: Page) =>
  (await page.context().cookies(E2E.appUrl)).map(({ name, value }) => `${name}=${value}`).join("; ");

// A client address per run, so the per-address sign-in limit never counts these requests with others'.
const clientAddress = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

// An error boundary rendered in place of a page (the shell streamed, then a segment failed); Next's own
// digests for notFound() and redirect() are answers, not failures.
const ERROR_MARKERS = [/data-dgst="(?!NEXT_)/, /Something went wrong/, /Application error/];

type Answer = { status: number; location: string | null; html: string };

const CLOSED_MID_WRITE = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/**
 * Node refuses a request whose head is over its limit with 431 and closes the socket at once, often while
 * the client is still writing the rest (ECONNRESET, EPIPE): for such a request (the 30 KB to 1 MB values) either
 * is the refusal, answered as 431. Any other network error is the server's failure and fails the test.
 */
async function get(path: string, cookie?: string): Promise<Answer> {
  try {
    const response = await fetch(`${E2E.appUrl}${path}`, {
      redirect: "manual",
      headers: { ...(cookie ? { cookie } : {}), "x-forwarded-for": clientAddress },
    });
    return { status: response.status, location: response.headers.get("location"), html: await response.text() };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? "";
    if (path.length + (cookie?.length ?? 0) > maxHeaderSize && CLOSED_MID_WRITE.has(code))
      return { status: 431, location: null, html: "" };
    throw error;
  }
}

/** Why an answer is wrong for a hostile value, or null. */
function answerProblem(answer: Answer, value: string): string | null {
  if (answer.status >= 500) return `status ${answer.status}`;
  if (answer.status >= 300 && answer.status < 400) {
    const target = new URL(answer.location ?? "", E2E.appUrl);
    return target.origin === E2E.appUrl ? null : `redirects off-site to ${answer.location}`;
  }
  const marker = ERROR_MARKERS.find((pattern) => pattern.test(answer.html));
  if (marker) return `renders an error (${marker.source})`;
  // React escapes < and > in text and attributes, and Next in its inline payload: verbatim means markup.
  if (/[<>]/.test(value) && answer.html.includes(value)) return "echoed as markup";
  return null;
}

const contactCount = (email: string) =>
  withAppDatabase(
    (db) =>
      (
        db
          .prepare(`SELECT count(*) AS n FROM "Contact" c JOIN "User" u ON u.id = c.userId WHERE u.email = ?`)
          .get(email) as { n: number }
      ).n,
  );

/** Fails the test if a payload ran: a dialog opened, the tripwire was set, or an element was injected. */
async function expectNothingInjected(page: Page, where: string) {
  const found = await page.evaluate((pwned) => {
    const problems: string[] = [];
    if ((window as unknown as { __pwned?: unknown }).__pwned !== undefined) problems.push("window.__pwned was set");
    for (const element of document.querySelectorAll("body *")) {
      const handlers = [...element.attributes].filter((attribute) => /^on/i.test(attribute.name));
      if (handlers.length > 0) problems.push(`<${element.localName} ${handlers[0]!.name}> in the DOM`);
      if (/^(iframe|object|embed|base|frame)$/.test(element.localName))
        problems.push(`<${element.localName}> in the DOM`);
      for (const name of ["href", "src", "action", "formaction"]) {
        const url = element.getAttribute(name) ?? "";
        // React's own placeholder for a form whose action is a function, until it hydrates.
        if (/^\s*(javascript|data):/i.test(url) && !/React form (was )?unexpectedly submitted/.test(url))
          problems.push(`<${element.localName} ${name}="${url.slice(0, 30)}">`);
      }
    }
    for (const script of document.scripts)
      if (script.text.trim().startsWith(pwned)) problems.push("an injected <script>");
    return problems;
  }, PWNED);
  expect(found, where).toEqual([]);
}

function watchForDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

test("every query parameter of every page, with every hostile value: never a 5xx, an error page or markup", async ({
  page,
  signedInUser: user,
}) => {
  const cookie = await cookieOf(page);
  // A contact of the user's own, for the contact pages' parameters.
  await page.goto("/contacts/new");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByRole("button", { name: "Save contact" }).click();
  await page.waitForURL(/\/contacts\/[^/]+\?notice=created$/);
  const contactId = new URL(page.url()).pathname.split("/")[2]!;

  const pages: Array<{ path: string; params: string[]; signedIn: boolean }> = [
    { path: "/sign-in", params: ["callbackUrl", "error", "signed-out"], signedIn: false },
    { path: "/sign-in", params: ["callbackUrl"], signedIn: true },
    { path: "/contacts", params: ["q", "page", "notice"], signedIn: true },
    { path: `/contacts/${contactId}`, params: ["notice"], signedIn: true },
    { path: "/compose", params: ["to", "notice"], signedIn: true },
    { path: "/outbox", params: ["status"], signedIn: true },
    { path: "/settings", params: ["notice"], signedIn: true },
    // Pages that read no parameter must ignore one they do not expect (the heavier run).
    ...(HEAVY
      ? [
          { path: "/dashboard", params: ["notice"], signedIn: true },
          { path: "/contacts/import", params: ["csv"], signedIn: true },
        ]
      : []),
  ];
  const requests: Array<{ path: string; value: string; signedIn: boolean }> = [];
  for (const { path, params, signedIn } of pages) {
    for (const param of params) {
      for (const input of corpus)
        requests.push({ path: `${path}?${param}=${inUrl(input)}`, value: input.value, signedIn });
      for (const shape of hostileQueryShapes(param))
        requests.push({ path: `${path}?${shape}`, value: shape, signedIn });
    }
  }
  // The contact's id itself, in the page and the edit page.
  for (const input of corpus) {
    requests.push({ path: `/contacts/${inUrl(input)}`, value: input.value, signedIn: true });
    requests.push({ path: `/contacts/${inUrl(input)}/edit`, value: input.value, signedIn: true });
  }

  const problems: string[] = [];
  const started = Date.now();
  await inParallel(requests, 10, async ({ path, value, signedIn }) => {
    const problem = answerProblem(await get(path, signedIn ? cookie : undefined), value);
    if (problem) problems.push(`${path.slice(0, 120)}: ${problem}`);
  });
  console.log(`${requests.length} hostile page requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(problems).toEqual([]);
  expect(contactCount(user.email)).toBe(1);
});

test("in Chromium, values a page echoes are text: the search box and the sign-in's way back", async ({
  page,
  browser,
  signedInUser: _user,
}) => {
  const dialogs = watchForDialogs(page);
  const sample = (HEAVY ? corpus : corpus.filter((input) => input.kind === "markup")).filter(
    (input) => input.value.length < 2_000,
  );
  for (const input of sample) {
    const value = wellFormed(input.value);
    await page.goto(`/contacts?q=${encodeURIComponent(value)}`);
    // The search box holds the query as typed (trimmed, at most 100 characters), never parsed.
    await expect(page.getByRole("searchbox", { name: "Search contacts" })).toHaveValue(
      value
        .trim()
        .slice(0, 100)
        .replace(/[\r\n]/g, ""),
    );
    await expectNothingInjected(page, `/contacts?q=${describeHostile(value)}`);
  }

  const signedOut = await browser.newContext();
  const signIn = await signedOut.newPage();
  dialogs.push(...watchForDialogs(signIn));
  for (const input of sample) {
    await signIn.goto(`${E2E.appUrl}/sign-in?callbackUrl=${inUrl(input)}&error=${inUrl(input)}`);
    await expect(signIn.getByRole("button", { name: "Continue with Google" })).toBeVisible();
    // The way back is always a path on this site, whatever was asked for.
    const callbackUrl = await signIn.locator('input[name="callbackUrl"]').first().inputValue();
    expect(callbackUrl, describeHostile(input.value)).toMatch(/^\/(?![/\\])/);
    await expectNothingInjected(signIn, `/sign-in?callbackUrl=${describeHostile(input.value)}`);
  }
  await signedOut.close();
  expect(dialogs).toEqual([]);
});

test("every id an action takes, hostile, over plain HTTP: refused or not found, never a 5xx", async ({
  page,
  signedInUser: _user,
}) => {
  const actions = await loadServerActions();
  const cookie = await cookieOf(page);
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.append(name, value);
    return data;
  };
  // Plain values travel as JSON, so half a surrogate pair arrives as sent; form fields arrive as UTF-8.
  const calls: Array<[string, (value: string) => unknown[], string?]> = [
    ["undoSendAction", (value) => [value]],
    ["messageStatusAction", (value) => [value]],
    ["decideMessageAction", (value) => [{ ok: true }, form({ id: value, decision: "retry" })]],
    ["deleteContactAction", (value) => [{ ok: true }, form({ id: value })], "/contacts/x"],
    ["updateContactAction", (value) => [{ ok: true }, form({ id: value, email: "x@example.com" })], "/contacts/x/edit"],
    ["enrolInSequenceAction", (value) => [{ ok: true }, form({ sequenceId: value, contactId: value })], "/contacts/x"],
    ["markContactRepliedAction", (value) => [{ ok: true }, form({ contactId: value })], "/contacts/x"],
    [
      "changeEnrolmentAction",
      (value) => [{ ok: true }, form({ enrolmentId: value, command: "replied" })],
      "/sequences/x",
    ],
    [
      "moveToCurrentVersionAction",
      (value) => [{ ok: true }, form({ sequenceId: value, enrolmentId: value })],
      "/sequences/x",
    ],
    [
      "updateSequenceAction",
      (value) => [
        { ok: true },
        form({ sequenceId: value, name: value, "step-0-subject": value, "step-0-body": value }),
      ],
      "/sequences/x/edit",
    ],
  ];
  const requests = calls.flatMap(([name, args, path]) =>
    corpus.map((input) => ({ name, value: input.value, args, path })),
  );
  const problems: string[] = [];
  await inParallel(requests, 6, async ({ name, value, args, path }) => {
    const answer = await callServerAction(actions.get(name), {
      baseUrl: E2E.appUrl,
      cookie,
      path,
      args: args(value),
      headers: { "x-forwarded-for": clientAddress },
    });
    if (answer.status >= 500 || answer.error) problems.push(`${name}(${describeHostile(value)}): ${answer.status}`);
  });
  expect(problems).toEqual([]);
});

// ── The forms, filled in Chromium ─────────────────────────────────────────────────────────────────

test("Google's security-event receiver: every hostile body, bare or as a JWT's parts, gets 400 with RFC 8935's error, never a 5xx", async () => {
  const part = (value: string) => Buffer.from(wellFormed(value)).toString("base64url");
  const bodies = corpus.flatMap((input) => [
    wellFormed(input.value),
    `${part(input.value)}.${part(input.value)}.${part(input.value)}`,
    `${part(JSON.stringify({ alg: "RS256", kid: wellFormed(input.value) }))}.${part("{}")}.c2ln`,
  ]);
  const recorded = () =>
    withAppDatabase((db) => (db.prepare(`SELECT COUNT(*) AS n FROM "SecurityEvent"`).get() as { n: number }).n);
  const before = recorded();
  const problems: string[] = [];
  await inParallel(bodies, 6, async (body) => {
    const response = await fetch(`${E2E.appUrl}/api/google/risc`, {
      method: "POST",
      headers: { "Content-Type": "application/secevent+jwt" },
      body,
    });
    const text = await response.text();
    if (response.status !== 400 || !/^\{"err":"invalid_/.test(text))
      problems.push(`${describeHostile(body)}: ${response.status} ${text.slice(0, 80)}`);
  });
  expect(problems).toEqual([]);
  expect(recorded()).toBe(before);
});

const FILLER: Record<ContactField, string> = {
  name: "Filler",
  email: "",
  company: "Filler Ltd",
  title: "Tester",
  phone: "+1 555 0100",
  notes: "Filler",
  timeZone: "Europe/Paris",
};

/** Sets the form's fields as typing would, and returns what the browser will submit for each. */
async function fillContactForm(page: Page, values: Record<ContactField, string>) {
  return page.evaluate((values) => {
    const submitted: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      const field = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(`form [name="${name}"]`)!;
      field.value = value;
      submitted[name] = field.value;
    }
    return submitted;
  }, values) as Promise<Record<ContactField, string>>;
}

/** The contact's page, read as a person would: each detail's text. */
async function shownContact(page: Page) {
  return page.evaluate(() => {
    const detail = (term: string) =>
      [...document.querySelectorAll("dt")].find((dt) => dt.textContent === term)?.nextElementSibling?.textContent ?? "";
    const notes = [...document.querySelectorAll("h3")].find((h3) => h3.textContent === "Notes");
    return {
      heading: document.querySelector("h1")?.textContent ?? "",
      email: detail("Email"),
      company: detail("Company"),
      title: detail("Title"),
      phone: detail("Phone"),
      notes: notes?.nextElementSibling?.textContent ?? "",
      timeZone: detail("Time zone"),
    };
  });
}

/** What the form documents it stores: trimmed, the address lower-case, notes with LF, zones as Intl spells them. */
function normalised(typed: Record<ContactField, string>): Record<ContactField, string> {
  const value = (field: ContactField) => wellFormed(typed[field]);
  return {
    name: value("name").trim(),
    email: value("email").trim().toLowerCase(),
    company: value("company").trim(),
    title: value("title").trim(),
    phone: value("phone").trim(),
    notes: value("notes").replace(/\r\n?/g, "\n").trim(),
    timeZone: value("timeZone").trim()
      ? new Intl.DateTimeFormat("en-US", { timeZone: value("timeZone").trim() }).resolvedOptions().timeZone
      : "",
  };
}

test("the contact form: every hostile value, seven a submission, is refused at its field or saved and shown as text", async ({
  page,
  signedInUser: user,
}) => {
  const dialogs = watchForDialogs(page);
  const started = Date.now();
  const save = page.getByRole("button", { name: "Save contact" });
  await page.goto("/contacts/new");
  let saved = 0;
  let submissions = 0;
  // Each value goes to the next field in turn, so every kind of value meets every field.
  for (let start = 0; start < corpus.length; start += CONTACT_FIELDS.length) {
    const values = Object.fromEntries(
      CONTACT_FIELDS.map((field, offset) => [field, corpus[(start + offset) % corpus.length]!.value]),
    ) as Record<ContactField, string>;
    let typed = await fillContactForm(page, values);
    await save.click();
    submissions += 1;
    const outcome = await Promise.race([
      page.waitForURL(/\/contacts\/[^/]+\?notice=created$/).then(() => "saved" as const),
      page
        .getByText("Not saved: fix what is marked below.")
        .waitFor()
        .then(() => "refused" as const),
    ]);
    if (outcome === "refused") {
      const refused = new Set<ContactField>();
      for (const field of CONTACT_FIELDS) {
        const box = page.locator(`#contact-${field}`);
        if ((await box.getAttribute("aria-invalid")) === "true") {
          refused.add(field);
          // The error sits next to its field, names it, and is what the field's description reads.
          await expect(page.locator(`#contact-${field}-error`)).toContainText(CONTACT_FIELD_LABELS[field]);
          expect(await box.getAttribute("aria-describedby")).toContain(`contact-${field}-error`);
        } else {
          // An accepted value comes back in its box as typed.
          const shown = wellFormed(await box.inputValue()).replace(/\r\n?/g, "\n");
          expect(shown, `${field} ${describeHostile(typed[field])}`).toBe(
            wellFormed(typed[field]).replace(/\r\n?/g, "\n"),
          );
        }
      }
      expect(refused.size, describeHostile(JSON.stringify(typed))).toBeGreaterThan(0);
      await expectNothingInjected(page, "the refused contact form");
      // The same values with the refused fields fixed: the rest is saved and shown back.
      typed = await fillContactForm(
        page,
        Object.fromEntries(
          CONTACT_FIELDS.map((field) => [
            field,
            !refused.has(field) ? typed[field] : field === "email" ? `filler-${start}@example.com` : FILLER[field],
          ]),
        ) as Record<ContactField, string>,
      );
      await save.click();
      submissions += 1;
      await page.waitForURL(/\/contacts\/[^/]+\?notice=created$/);
    }
    saved += 1;
    const expected = normalised(typed);
    expect(await shownContact(page), describeHostile(JSON.stringify(typed))).toEqual({
      heading: expected.name || expected.email,
      ...expected,
      name: undefined,
    });
    await expectNothingInjected(page, "a saved contact's page");
    await page.goto("/contacts/new");
  }
  await page.goto("/contacts");
  await expectNothingInjected(page, "the contact list");
  expect(dialogs).toEqual([]);
  expect(contactCount(user.email)).toBe(saved);
  console.log(
    `contact form: ${submissions} submissions, ${saved} saved, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
});

/** A CSV as a spreadsheet writes it: every cell quoted, quotes doubled. */
const toCsv = (rows: string[][]) =>
  rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(",")).join("\r\n");

test("CSV import: hostile files get a clear file error, hostile cells a reason per row, the rest is imported as text", async ({
  page,
  signedInUser: user,
}) => {
  const dialogs = watchForDialogs(page);
  const fileInput = () => page.getByLabel("CSV file");
  const preview = async (name: string, content: Buffer) => {
    await page.goto("/contacts/import");
    await fileInput().setInputFiles({ name, mimeType: "text/csv", buffer: content });
    await page.getByRole("button", { name: "Preview import" }).click();
  };
  const fileError = page.locator("#import-csv-error");

  const refusedFiles: Array<[string, Buffer, RegExp]> = [
    [
      "workbook.csv",
      // The start of an .xlsx saved under a .csv name: a zip header with NUL bytes, then compressed data.
      Buffer.from("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#\x8f[Content_Types].xml", "latin1"),
      /is not a CSV text file/,
    ],
    ["utf-16.csv", Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]), /is not a CSV text file/],
    ["quote.csv", Buffer.from('email,name\nada@example.com,"Ada\n'), /quoted value is never closed/],
    [
      "rows.csv",
      Buffer.from(`email\n${Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `r${i}@example.com`).join("\n")}`),
      /5,001 rows; import at most 5,000/,
    ],
    ["big.csv", Buffer.alloc(MAX_IMPORT_BYTES + 1, "a"), /import at most 2 MB/],
    ["header.csv", Buffer.from("name,=cmd|' /C calc'!A0\nAda,x"), /one of them "email"/],
    ["empty.csv", Buffer.from("\ufeff\r\n \r\n"), /The CSV is empty/],
  ];
  for (const [name, content, message] of refusedFiles) {
    await preview(name, content);
    await expect(fileError, name).toContainText(message);
    await expect(fileInput()).toHaveAttribute("aria-invalid", "true");
    await expectNothingInjected(page, `the import page after ${name}`);
  }
  expect(contactCount(user.email)).toBe(0);

  // Every hostile value as a cell of its own row, each row in a different column: a BOM, CRLF, quotes.
  const header = [...CONTACT_FIELDS];
  const rows = corpus
    .filter((input) => input.value.length < 100_000)
    .map((input, index) =>
      header.map((column) =>
        column === header[index % header.length]
          ? wellFormed(input.value)
          : column === "email"
            ? `row-${index}@example.com`
            : FILLER[column],
      ),
    );
  await preview("hostile.csv", Buffer.from(`\ufeff${toCsv([header, ...rows])}`));
  await expect(page.getByRole("heading", { name: "Preview: nothing is saved yet" })).toBeVisible();
  await expectNothingInjected(page, "the import preview");
  // Each skipped row says which column and why, in words.
  const problems = page.getByRole("table").filter({ hasText: "Problem and fix" }).locator("tbody tr");
  expect(await problems.count()).toBeGreaterThan(0);
  for (const text of await problems.allTextContents())
    expect(text).toMatch(/(Name|Email|Company|Title|Phone|Notes|Time zone)/);
  const summary = (await page.getByRole("status").filter({ hasText: "new contacts" }).textContent()) ?? "";
  const created = Number(/^([\d,]+) new contacts/.exec(summary)?.[1]?.replace(",", ""));
  await page.getByRole("button", { name: /^Import \d+ contacts?$/ }).click();
  await expect(page.getByText(/^Imported: /)).toBeVisible();
  expect(contactCount(user.email)).toBe(created);

  // The imported cells are text everywhere they are shown.
  const stored = withAppDatabase(
    (db) =>
      db
        .prepare(`SELECT c.id FROM "Contact" c JOIN "User" u ON u.id = c.userId WHERE u.email = ? LIMIT 40`)
        .all(user.email) as Array<{ id: string }>,
  );
  for (const { id } of stored) {
    await page.goto(`/contacts/${id}`);
    await expectNothingInjected(page, `imported contact ${id}`);
  }
  for (let pageNumber = 1; pageNumber <= Math.ceil(created / 25); pageNumber += 1) {
    await page.goto(`/contacts?page=${pageNumber}`);
    await expectNothingInjected(page, `contacts page ${pageNumber}`);
  }
  expect(dialogs).toEqual([]);
});

test("compose: hostile subjects, bodies, file names and recipients are refused at their field or sent as text", async ({
  page,
  signedInUser: user,
}) => {
  const dialogs = watchForDialogs(page);
  await page.goto("/compose");
  const subjectBox = page.getByLabel("Subject");
  const to = page.getByLabel("To", { exact: true });

  // Every hostile value pasted into To at once: each one that is no address is named, nothing is sent.
  const pasted = corpus.filter((input) => input.value.length < 300 && !/[\r\n]/.test(input.value));
  await to.fill(pasted.map((input) => wellFormed(input.value)).join(", "));
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.locator("#compose-to-error")).toContainText("is not a valid email address");
  await expectNothingInjected(page, "compose with hostile recipients");
  await page.getByRole("button", { name: "Discard draft" }).click();

  // A NUL cannot be stored: the body says so, at the body.
  await to.fill("grace@example.com,");
  await page.getByLabel("Body").fill("before\u0000after");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.locator("#compose-body-error")).toHaveText(
    "Body contains a NUL or a broken character (half of an emoji); remove it.",
  );
  await expect(page.getByLabel("Body")).toHaveAccessibleDescription(/Body contains a NUL/);
  await page.getByRole("button", { name: "Discard draft" }).click();

  // The body carries the whole corpus in a few messages; each carries one hostile subject and file name.
  // A text box keeps line breaks as LF.
  const bodyValues = corpus
    .filter((input) => input.value.length <= 20_000 && !input.value.includes("\u0000"))
    .map((input) => wellFormed(input.value).replace(/\r\n?/g, "\n"));
  const messages = 6;
  // File names as hostile as a file system allows: markup, no slashes or control characters.
  const fileNames = corpus
    .filter((input) => input.kind === "markup" && !/[/\\\u0000-\u001f]/.test(input.value))
    .map((input) => input.value);
  const sent: Array<{ subject: string; body: string }> = [];
  for (let n = 0; n < messages; n += 1) {
    const subject = wellFormed(corpus.filter((input) => input.kind === "markup")[n]!.value);
    const body = bodyValues.filter((_, index) => index % messages === n).join("\n");
    const filename = `${fileNames[n]!}.txt`;
    await to.fill("grace@example.com,");
    await subjectBox.fill(subject);
    // Set as one paste would be: Chromium's editing takes a minute to type 10,000 line breaks.
    await page.getByLabel("Body").evaluate((box: HTMLTextAreaElement, text) => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(box, text);
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }, body);
    await page
      .getByLabel("Attach files")
      .setInputFiles({ name: filename, mimeType: "text/plain", buffer: Buffer.from("x") });
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page.getByRole("button", { name: "Undo" })).toBeVisible();
    sent.push({ subject, body });
    await expectNothingInjected(page, `compose after sending ${describeHostile(subject)}`);
    await page.goto("/compose");
  }
  const stored = withAppDatabase(
    (db) =>
      db
        .prepare(
          `SELECT m.subject, m.text FROM "Message" m JOIN "User" u ON u.id = m.userId WHERE u.email = ? ORDER BY m.createdAt`,
        )
        .all(user.email) as Array<{ subject: string; text: string }>,
  );
  // Stored as typed: a form sends line breaks as CRLF.
  expect(stored.map((row) => ({ subject: row.subject, body: row.text.replace(/\r\n/g, "\n") }))).toEqual(
    sent.map(({ subject, body }) => ({ subject: subject.trim(), body })),
  );
  await page.goto("/outbox");
  for (const { subject } of sent) await expect(page.getByText(subject.trim(), { exact: true }).first()).toBeVisible();
  await expectNothingInjected(page, "the outbox");
  expect(dialogs).toEqual([]);
});
