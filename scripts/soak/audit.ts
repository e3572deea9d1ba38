import { SCHEDULED_CHECK_AHEAD_MS } from "@/lib/mail/scheduled-check";
import { listOutbox } from "@/lib/mail/outbox-view";
import type { SoakClock } from "./clock";
import { HOUR } from "./events";
import type { Installation, SoakAccount } from "./installation";
import type { Ledger } from "./ledger";

/**
 * The soak's verdict, read from the two databases and the two local Googles after the run: every
 * number here is counted there, the ledger only says what the soak did to Google.
 */

export type Check = { name: string; ok: boolean; detail: string };
export type Metrics = Record<string, unknown>;
/** One installation's audit, from the process that ran it. */
export type PartReport = { installation: string; checks: Check[]; metrics: Metrics };
export type SoakReport = { checks: Check[]; metrics: Metrics; rows: Array<[string, string]> };

type Input = {
  installations: Installation[];
  ledger: Ledger;
  clock: SoakClock;
  startMs: number;
  wallSeconds: number;
  outboxOutcomes: Record<string, number>;
  jobFailures: string[];
  timings: { phaseMs: Record<string, number>; jobMs: Record<string, number> };
  postgres: boolean;
  seed: number;
};

const KILLED_ERROR = "The worker stopped after the request left";
const NO_ANSWER_ERROR = "Gmail did not answer after the message left.";
const DAY = 24 * HOUR;

export async function auditSoak(input: Input): Promise<PartReport> {
  const { installations, ledger, clock, startMs, wallSeconds } = input;
  const now = clock.now();
  const days = (now - startMs) / DAY;
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name: `soak: ${name}`, ok, detail });

  const atGmail = new Map<string, number>();
  const tokens = new Map<string, { revokedAt: number | null; expiresAt: number | null; reason: string | null }>();
  let tokenCalls = 0;
  let codeExchanges = 0;
  const messages: Array<{
    id: string;
    userId: string;
    status: string;
    lastError: string | null;
    messageId: string;
    kind: "one-to-one" | "merge" | "sequence";
    installation: Installation;
  }> = [];
  for (const installation of installations) {
    for (const sent of await installation.control.messages())
      if (!sent.incoming) atGmail.set(sent.messageId, (atGmail.get(sent.messageId) ?? 0) + 1);
    const list = await installation.control.tokens();
    for (const token of list.refreshTokens)
      tokens.set(token.token, {
        revokedAt: token.revokedAt ? Date.parse(token.revokedAt) : null,
        expiresAt: token.expiresAt ? Date.parse(token.expiresAt) : null,
        reason: token.revokedReason,
      });
    tokenCalls += (await installation.control.calls()).token ?? 0;
    codeExchanges += installation.codeExchanges;
    const rows = await installation.deps.db.message.findMany({
      select: {
        id: true,
        userId: true,
        status: true,
        lastError: true,
        rfc822MessageId: true,
        mergeId: true,
        sequenceEnrolmentId: true,
      },
    });
    for (const row of rows)
      messages.push({
        ...row,
        messageId: row.rfc822MessageId ?? `<${row.id}@evergreen.invalid>`,
        kind: row.mergeId ? "merge" : row.sequenceEnrolmentId ? "sequence" : "one-to-one",
        installation,
      });
  }
  const byStatus = (status: string, kind?: string) =>
    messages.filter((m) => m.status === status && (!kind || m.kind === kind)).length;

  // Lost: scheduled and gone, still waiting to leave, held with nobody to free it, or ended without a reason.
  const ids = new Set(messages.map((m) => m.id));
  const vanished = ledger.scheduled.filter((s) => !ids.has(s.id));
  const stuck = messages.filter((m) => ["QUEUED", "SCHEDULED", "SENDING", "DRAFT"].includes(m.status));
  const connectedUsers = new Set<string>();
  for (const installation of installations)
    for (const row of await installation.deps.db.account.findMany({
      where: { status: "CONNECTED" },
      select: { userId: true },
    }))
      connectedUsers.add(row.userId);
  const heldForNobody = messages.filter((m) => m.status === "WAITING_FOR_RECONNECT" && connectedUsers.has(m.userId));
  const unexplained = messages.filter(
    (m) => ["FAILED", "CANCELLED", "UNKNOWN", "WAITING_FOR_RECONNECT"].includes(m.status) && !m.lastError,
  );
  const sentNotAtGmail = messages.filter((m) => m.status === "SENT" && !atGmail.has(m.messageId));
  const ours = new Set(messages.filter((m) => m.status === "SENT" || m.status === "UNKNOWN").map((m) => m.messageId));
  const phantom = [...atGmail.keys()].filter((messageId) => !ours.has(messageId));
  const lost = vanished.length + stuck.length + heldForNobody.length + unexplained.length + sentNotAtGmail.length;
  check(
    "lost: 0",
    lost === 0,
    `${vanished.length} vanished, ${stuck.length} stuck (${stuck
      .map((m) => `${m.id} ${m.status}`)
      .slice(0, 3)
      .join(
        ", ",
      )}), ${heldForNobody.length} held while connected, ${unexplained.length} ended without a reason, ${sentNotAtGmail.length} SENT but not at Gmail`,
  );
  const duplicated = [...atGmail.values()].reduce((sum, count) => sum + count - 1, 0);
  check(
    "duplicated: 0",
    duplicated === 0 && phantom.length === 0,
    `${duplicated} Message-IDs at Gmail more than once; ${phantom.length} at Gmail that Evergreen does not know`,
  );

  // Unknown: accept-then-drop (Gmail has it, no answer came) or the killed worker's message, each on its user's outbox.
  const unknown = messages.filter((m) => m.status === "UNKNOWN");
  const killed = unknown.filter(
    (m) => m.id === input.ledger.killed?.messageId && m.lastError?.startsWith(KILLED_ERROR),
  );
  const dropped = unknown.filter((m) => m.lastError === NO_ANSWER_ERROR && atGmail.get(m.messageId) === 1);
  const dropsServed = ledger.faults.get("gmail.send accept-then-drop") ?? 0;
  let shown = 0;
  for (const m of unknown) {
    const { items } = await listOutbox(m.userId, "unknown", m.installation.deps);
    if (items.some((item) => item.id === m.id && item.status === "UNKNOWN" && item.lastError)) shown += 1;
  }
  check(
    "unknown: only from accept-then-drop and the killed worker, each shown to its user",
    dropped.length + killed.length === unknown.length && dropped.length <= dropsServed && shown === unknown.length,
    `${unknown.length} unknown: ${dropped.length} accept-then-drop (of ${dropsServed} served), ${killed.length} killed worker; ${shown} on their user's outbox`,
  );
  const killedRow = messages.find((m) => m.id === ledger.killed?.messageId);
  // Only the production installation's process kills its worker.
  if (ledger.killed)
    check(
      "killed worker: its message unknown or requeued by the outbox's rules, never sent twice",
      !!killedRow && ["UNKNOWN", "SENT"].includes(killedRow.status) && (atGmail.get(killedRow.messageId) ?? 0) <= 1,
      killedRow
        ? `${killedRow.status} (${killedRow.lastError ?? "no error"}), at Gmail ${atGmail.get(killedRow.messageId) ?? 0}×`
        : "no worker was killed",
    );

  // Reconnect prompts against Google's own record of the token Evergreen held.
  const endedAt = (token: string) => {
    const record = tokens.get(token);
    if (!record) return undefined;
    const ends = [record.revokedAt, record.expiresAt !== null && record.expiresAt <= now ? record.expiresAt : null];
    const first = Math.min(...ends.filter((at): at is number => at !== null));
    return Number.isFinite(first) ? first : undefined;
  };
  const falsePrompts = ledger.prompts.filter((p) => {
    const ended = endedAt(p.token);
    return ended === undefined || ended > p.changedAt;
  });
  check(
    "false reconnect prompts: 0",
    falsePrompts.length === 0,
    `${ledger.prompts.length} prompts, ${falsePrompts.length} without a grant Google ended (${falsePrompts
      .slice(0, 3)
      .map((p) => `${p.account.label} ${p.reason}`)
      .join(", ")})`,
  );

  // Grant deaths, from Google's record of every token Evergreen held, and the account's next scheduled send.
  type Death = { account: SoakAccount; at: number; cause: string; token: string };
  const deaths: Death[] = [];
  for (const held of ledger.held) {
    const ended = endedAt(held.token);
    if (ended !== undefined && ended >= held.from && ended < (held.until ?? Infinity))
      deaths.push({
        account: held.account,
        at: ended,
        // Whichever came first: a Testing token that expired may be revoked with its grant later on.
        cause:
          tokens.get(held.token)?.expiresAt === ended ? "testing-expiry" : (tokens.get(held.token)?.reason ?? "ended"),
        token: held.token,
      });
  }
  let due = 0;
  let before = 0;
  let inside = 0;
  let insideBefore = 0;
  const missed: string[] = [];
  for (const death of deaths) {
    const next = ledger.scheduled
      .filter((s) => s.account === death.account && s.sendAt > death.at)
      .sort((a, b) => a.sendAt - b.sendAt)[0];
    if (!next) continue;
    const sendStep = startMs + Math.ceil((next.sendAt - startMs) / HOUR) * HOUR;
    const prompt = ledger.prompts.find((p) => p.token === death.token);
    const reported = !!prompt && (prompt.seenAt < sendStep || (prompt.seenAt === sendStep && prompt.phase === 0));
    if (next.sendAt - death.at >= SCHEDULED_CHECK_AHEAD_MS) {
      due += 1;
      if (reported) before += 1;
      else missed.push(`${death.account.label} ${death.cause} at day ${((death.at - startMs) / DAY).toFixed(2)}`);
    } else {
      inside += 1;
      if (reported) insideBefore += 1;
    }
  }
  const reportedShare = due === 0 ? 1 : before / due;
  check(
    "grant deaths reported before the account's next scheduled send: 100 %",
    due > 0 && before === due,
    `${before} of ${due} deaths with a send due ≥ ${SCHEDULED_CHECK_AHEAD_MS / HOUR} h later${missed.length ? ` (missed: ${missed.slice(0, 3).join(", ")})` : ""}; ${insideBefore} of ${inside} with a send sooner (only a security event can warn in time)`,
  );

  const rotation = ledger.rotations;
  check(
    "key rotation: every token re-sealed, the old key dropped",
    rotation.length === installations.length &&
      rotation.every((r) => r.unreadable === 0 && r.leftOnOldKey === 0 && r.rewritten > 0),
    rotation.map((r) => `${r.rewritten} re-sealed, ${r.leftOnOldKey} left`).join("; ") || "no rotation",
  );

  const count = (kind: string, withEvent?: boolean) =>
    ledger.actions.filter((a) => a.kind === kind && (withEvent === undefined || a.withEvent === withEvent)).length;
  const testingExpiries = deaths.filter((d) => d.cause === "testing-expiry").length;
  const served = (key: string) => [...ledger.faults].filter(([kind, n]) => kind.startsWith(key) && n > 0).length > 0;
  const kinds: Array<[string, boolean]> = [
    ["revoked with its event", count("revoked", true) > 0],
    ["revoked without", count("revoked", false) > 0],
    ["password change", count("password") > 0],
    ["100-token eviction", count("evicted") > 0],
    ["Testing 7-day expiry", testingExpiries > 0],
    ["Gmail 5xx", served("gmail.send 5")],
    ["Gmail 429", served("gmail.send 429")],
    ["accept-then-drop", dropsServed > 0],
    ["token timeout", served("token timeout")],
    ["reconnects", ledger.reconnects > 0],
    ["worker killed", !!ledger.killed],
    ["database restart", ledger.notes.some((n) => n.startsWith("database restarted"))],
    ["merges sent", byStatus("SENT", "merge") > 0],
    ["sequences sent", byStatus("SENT", "sequence") > 0],
  ];

  const accounts = installations.reduce((sum, i) => sum + i.accounts.length, 0);
  const refreshes = tokenCalls - codeExchanges;
  const metrics = {
    seed: input.seed,
    database: input.postgres ? "postgresql" : "sqlite",
    simulatedDays: Number(days.toFixed(1)),
    accounts,
    scheduledOneToOne: ledger.scheduled.length,
    messages: messages.length,
    sent: byStatus("SENT"),
    sentOneToOne: byStatus("SENT", "one-to-one"),
    sentMerge: byStatus("SENT", "merge"),
    sentSequence: byStatus("SENT", "sequence"),
    failed: byStatus("FAILED"),
    cancelled: byStatus("CANCELLED"),
    lost,
    duplicated,
    unknown: unknown.length,
    unknownAcceptThenDrop: dropped.length,
    unknownKilledWorker: killed.length,
    reconnectPrompts: ledger.prompts.length,
    falseReconnectPrompts: falsePrompts.length,
    promptReasons: tally(ledger.prompts.map((p) => p.reason ?? p.status)),
    grantDeaths: deaths.length,
    grantDeathCauses: tally(deaths.map((d) => d.cause)),
    deathsReportedBeforeNextSend: reportedShare,
    reconnects: ledger.reconnects,
    googleActions: tally(ledger.actions.map((a) => `${a.kind} ${a.withEvent ? "with event" : "silent"}`)),
    faultsServed: Object.fromEntries(ledger.faults),
    outboxOutcomes: input.outboxOutcomes,
    jobFailures: input.jobFailures,
    wallSecondsByPhase: seconds(input.timings.phaseMs),
    jobSeconds: seconds(input.timings.jobMs),
    tokenCalls,
    codeExchanges,
    refreshes,
    tokenCallsPerAccountDay: Number((tokenCalls / (accounts * days)).toFixed(3)),
    refreshesPerAccountDay: Number((refreshes / (accounts * days)).toFixed(3)),
    wallSeconds: Number(wallSeconds.toFixed(1)),
    shown,
    deathsDue: due,
    deathsReportedBefore: before,
    deathsInsideLead: inside,
    deathsInsideLeadReportedBefore: insideBefore,
    kinds: Object.fromEntries(kinds),
  };
  return { installation: installations.map((i) => i.name).join("+"), checks, metrics };
}

const seconds = (ms: Record<string, number>) =>
  Object.fromEntries(Object.entries(ms).map(([name, value]) => [name, Number((value / 1000).toFixed(1))]));

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
