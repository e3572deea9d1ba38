import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type { StructuredHeader } from "mailparser";
import { beforeAll, expect, it } from "vitest";
import { DEV_CLIENT, DEV_USER } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { setupEmulator } from "@/google-emulator/vitest-setup";
import type { AppDeps } from "@/lib/platform/deps";
import { googleGateway } from "@/lib/google/gateway";
import type { ComposeInput, ValidMessage } from "@/lib/mail/compose";
import { enqueueMessage, UNDO_WINDOW_MS } from "@/lib/mail/messages";
import { runOutboxOnce } from "@/lib/mail/outbox";
import { linkGoogleAccount } from "@/lib/connection/sign-in";
import { setupTestDatabase } from "@/test-support/test-deps";
import { contentType, fileContent, fileName } from "./arbitraries/header-values";
import {
  asOutboxBuildsIt,
  expectEqual,
  headerBlock,
  postForm,
  sendAndParse,
  unsafeHeaderLines,
  validate,
} from "./compose-round-trip";
import { submission } from "./header-injection-property";
import { parseMail, type ParsedMail } from "./parsed-mail";

// The header-injection properties build messages as the outbox does (asOutboxBuildsIt), which is fast
// enough for 100,000 values. This one checks that shortcut against the real path, fewer times: the
// message stored by enqueueMessage (SQLite, and PostgreSQL in the pg lane), claimed and built by the
// outbox, and handed to Gmail's send must parse exactly like the shortcut's.

const RUNS = process.env.ATTACK_SCALE === "heavy" ? 3_000 : 200;
const google = setupEmulator();
const test = setupTestDatabase();
const sent: Buffer[] = [];
let userId = "";
let deps: AppDeps;
let later: AppDeps;

beforeAll(async () => {
  userId = (await test.db.user.create({ data: { email: "hostile@evergreen.test", name: "Ada" } })).id;
  const gateway = googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: google.url });
  const link: AppDeps = { ...test.deps, google: gateway };
  const { tokens } = await connect(google.url, { prompt: "consent" });
  await linkGoogleAccount(
    {
      ...tokens,
      providerAccountId: DEV_USER.sub,
      expires_at: Math.floor((tokens.expiry_date ?? 0) / 1000),
      userId,
      type: "oidc",
      provider: "google",
    },
    link,
  );
  // Gmail's send is where the raw message leaves: kept here instead, to be parsed.
  const send: AppDeps["google"]["send"] = async (_token, { raw }) => {
    sent.push(raw);
    return { id: `m${sent.length}`, threadId: `t${sent.length}`, labelIds: ["SENT"] };
  };
  deps = { ...link, google: { ...gateway, send } };
  later = { ...deps, now: () => new Date(Date.now() + UNDO_WINDOW_MS + 1_000) };
});

// A name as the users table can hold it: no NUL (PostgreSQL) and no half surrogate pair (Prisma).
const storable = (name: string | null) =>
  name &&
  Buffer.from(name, "utf8")
    .toString("utf8")
    .replace(/\u0000/g, " ");

// What a receiving client sees at the top level and in each attachment, less what differs by design
// between two builds (Date, Message-ID, MIME boundaries).
const withoutBoundary = ([key, value]: [string, unknown]) =>
  key === "content-type"
    ? [key, { ...(value as StructuredHeader), params: { ...(value as StructuredHeader).params, boundary: "" } }]
    : [key, value];
const visible = ({ parts, attachments }: ParsedMail) => ({
  headers: parts.map((part) =>
    [...part.headers].filter(([key]) => key !== "date" && key !== "message-id").map(withoutBoundary),
  ),
  names: parts.map((part) => part.headerLines.map((line) => line.key)),
  attachments: attachments.map(({ filename, contentType: type, content }) => ({ filename, type, content })),
});

it(`the outbox sends what the properties build, for ${RUNS.toLocaleString("en")} hostile messages stored and sent for real`, async () => {
  const withFiles = fc.record({
    form: submission,
    files: fc.array(fc.record({ filename: fileName, contentType, content: fileContent }), { maxLength: 3 }),
  });
  await fc.assert(
    fc.asyncProperty(withFiles, async ({ form: { senderName, ...fields }, files }) => {
      const input: ComposeInput = { ...(await postForm(fields)), inReplyTo: fields.inReplyTo };
      // The fields validation refuses go back to the base form's; files it refuses are left out.
      const first = validate({ ...input, attachments: files });
      const refused = first.accepted ? new Set<PropertyKey>() : new Set(first.paths.map((path) => path[0]));
      const refusedFiles = first.accepted ? new Set<PropertyKey>() : new Set(first.paths.map((path) => path[1]));
      const changes = Object.fromEntries(Object.entries(input).filter(([key]) => !refused.has(key)));
      const attachments = files.filter((_, n) => !refusedFiles.has(n));
      const verdict = validate({ ...changes, attachments });
      if (!verdict.accepted) expect(verdict).toMatchObject({ accepted: true });
      const message = (verdict as { value: ValidMessage }).value;

      const name = storable(senderName);
      await test.db.user.update({ where: { id: userId }, data: { name } });
      const idempotencyKey = randomBytes(12).toString("hex");
      await enqueueMessage(userId, { ...message, idempotencyKey }, deps);
      expect(await runOutboxOnce(later)).toMatchObject({ sent: 1 });
      const raw = sent.pop()!;
      // Gmail's limits count sent messages: the next run starts from none.
      await test.db.message.deleteMany({ where: { userId } });

      const real = await parseMail(raw);
      const { parsed: shortcut } = await sendAndParse(asOutboxBuildsIt(message, name));
      expectEqual(unsafeHeaderLines(real), [], () => headerBlock(raw));
      expectEqual(visible(real), visible(shortcut), () => headerBlock(raw));
    }),
    { numRuns: RUNS, seed: 12_0004 },
  );
}, 600_000);
