// `npx tsx scripts/soak.ts [--short] [--postgres] [--seed N] [--days N]`: six months of Evergreen against the
// local Google in minutes (issue #22). Prints a table, writes test-results/soak.json, exits 0 only if every check passed.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import path from "node:path";
import { keepConnectionsAlive } from "@/lib/connection/keep-alive";
import { OUTBOX, runOutboxOnce } from "@/lib/mail/outbox";
import { checkScheduledConnections } from "@/lib/mail/scheduled-check";
import { feedMerges } from "@/lib/outreach/merge-feeder";
import { feedSequences } from "@/lib/outreach/sequence-feeder";
import { startTemporaryPostgres, type TemporaryPostgres } from "@/test-support/postgres-server";
import { auditSoak, type PartReport } from "./soak/audit";
import { combineReports, formatTable } from "./soak/report";
import { SoakClock } from "./soak/clock";
import {
  composeDay,
  endGrantAtGoogle,
  enrolWave,
  HOUR,
  randomFault,
  runMerge,
  startSequence,
  TIMEOUT_FAULT,
  type GoogleEventKind,
} from "./soak/events";
import {
  addAccount,
  installationDatabase,
  reconnect,
  startInstallation,
  type Installation,
  type SoakAccount,
} from "./soak/installation";
import { killWorkerMidSend } from "./soak/kill-worker";
import { faultKind, Ledger } from "./soak/ledger";
import { nothingPending, restartDatabase, rotateKeys } from "./soak/operations";
import { seededRandom } from "@/test-support/seeded-random";
import { SCALES, soakScale } from "./soak/settings";

const DAY = 24 * HOUR;
/** After the last day: time for the last reconnects and sends, in hours at most. */
const DRAIN_HOURS = 5 * 24;

function parseArgs(argv: string[]) {
  const seedAt = argv.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : 22;
  if (!Number.isInteger(seed)) throw new Error("--seed takes an integer");
  const daysAt = argv.indexOf("--days");
  const days = daysAt >= 0 ? Number(argv[daysAt + 1]) : undefined;
  if (days !== undefined && !(Number.isInteger(days) && days >= 10)) throw new Error("--days takes an integer ≥ 10");
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] as Installation["name"]) : undefined;
  if (only !== undefined && only !== "production" && only !== "testing") throw new Error("--only production|testing");
  const outAt = argv.indexOf("--out");
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  return { short: argv.includes("--short"), postgres: argv.includes("--postgres"), seed, days, only, out };
}

/**
 * One installation's six months in this process (`--only production|testing`): its database, its
 * local Google, the app on one clock, and its share of the plan; the audit goes to `--out`.
 */
async function runInstallation(args: ReturnType<typeof parseArgs>, only: Installation["name"], out: string) {
  const scale = soakScale(args, only);
  const seed = args.seed + (only === "testing" ? 1_000 : 0);
  // One stream per concern: the plan, the day's email and Google's failures are the same for a seed
  // whatever the app's timing (its backoff jitter is Math.random's) does to the rest.
  const random = seededRandom(seed);
  const mail = seededRandom(seed + 1);
  const faults = seededRandom(seed + 2);
  const started = performance.now();
  const cleanups: Array<() => Promise<void> | void> = [];
  const log = (line: string) =>
    console.log(`soak ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`);

  const startMs = Math.floor(Date.now() / DAY) * DAY;
  const clock = new SoakClock(startMs);
  const ledger = new Ledger();
  const sqliteDir = mkdtempSync(path.join(tmpdir(), "evergreen-soak-"));
  cleanups.push(() => rmSync(sqliteDir, { recursive: true, force: true }));
  let postgres: TemporaryPostgres | undefined;
  if (args.postgres) {
    postgres = await startTemporaryPostgres();
    cleanups.push(() => postgres?.stop());
  }
  const firstKey = { id: "soak-1", key: randomBytes(32) };
  const installations: Installation[] = [];
  for (const name of [only]) {
    const database = await installationDatabase(name, sqliteDir, postgres?.url);
    const installation = await startInstallation(name, database, clock, [firstKey]);
    cleanups.push(async () => {
      await installation.receiver.close();
      await installation.emulator.close();
      await installation.deps.db.$disconnect();
    });
    installations.push(installation);
  }

  try {
    // Accounts: daily senders, occasional ones, and idle ones that send only in the last days.
    for (const installation of installations) {
      const count = installation.name === "production" ? scale.productionAccounts : scale.testingAccounts;
      for (let n = 0; n < count; n++) {
        const share = n / count;
        const profile =
          share < scale.share.daily
            ? "daily"
            : share < scale.share.daily + scale.share.occasional
              ? "occasional"
              : "idle";
        const account = await addAccount(installation, `${installation.name[0]}${n}`, profile, clock);
        ledger.hold(account, account.heldToken, clock.now());
      }
    }
    const accounts = installations.flatMap((installation) => installation.accounts);
    const senders = accounts.filter((account) => account.profile !== "idle");
    const daily = accounts.filter((account) => account.profile === "daily");
    log(
      `${accounts.length} accounts connected (${scale.productionAccounts} production, ${scale.testingAccounts} Testing)`,
    );

    // Sequences on a few daily senders of both installations; waves of new contacts join them.
    const sequences: Array<{ account: SoakAccount; id: string }> = [];
    for (let n = 0; n < scale.sequenceAccounts; n++) {
      const account = daily[Math.floor((n * daily.length) / scale.sequenceAccounts)]!;
      sequences.push({ account, id: await startSequence(account) });
    }
    const lastPlannedDay = scale.days - 3;
    const dayOf = () => 1 + random.int(lastPlannedDay - 1);
    const hourOf = () => random.int(24);
    const plan = new Map<number, Array<() => Promise<void>>>();
    const at = (day: number, hour: number, action: () => Promise<void>) =>
      plan.set(day * 24 + hour, [...(plan.get(day * 24 + hour) ?? []), action]);

    for (let n = 0; n < scale.merges; n++)
      at(dayOf(), hourOf(), async () => {
        const account = random.pick(senders);
        if ((await runMerge(account, n)) !== "started") throw new Error("a merge did not start");
        ledger.notes.push(`merge ${n} by ${account.label}`);
      });
    const googleEvents: Array<[GoogleEventKind, boolean, number]> = [
      ["revoked", true, scale.revokedWithEvent],
      ["revoked", false, scale.revokedSilently],
      ["password", true, Math.ceil(scale.passwordChanges / 2)],
      ["password", false, Math.floor(scale.passwordChanges / 2)],
      ["evicted", false, Math.ceil(scale.evictions / 2)],
      ["evicted", true, Math.floor(scale.evictions / 2)],
    ];
    const pendingGoogle = new Map<number, Array<[GoogleEventKind, boolean]>>();
    for (const [kind, withEvent, count] of googleEvents)
      for (let n = 0; n < count; n++) {
        const step = dayOf() * 24 + hourOf();
        pendingGoogle.set(step, [...(pendingGoogle.get(step) ?? []), [kind, withEvent]]);
      }
    const timeoutSteps = new Set(Array.from({ length: scale.tokenTimeouts }, () => dayOf() * 24 + 9 + random.int(8)));
    const rotationStep = Math.floor(scale.days / 2) * 24 + 12;
    const killStep = Math.floor(scale.days * 0.4) * 24 + 13;
    const restartStep = Math.floor(scale.days * 0.6) * 24 + 14;
    let killAccount: SoakAccount | undefined;
    let timeoutsDue = 0;

    const broken = new Map<SoakAccount, true>();
    // Both installations poll at once: each draws from its own stream, so a seed replays the same run.
    const userRandom = installations.map((_, n) => seededRandom(seed + 10 + n));
    const poll = async (installation: Installation, phase: 0 | 1) => {
      const rows = await installation.deps.db.account.findMany({
        where: { status: { not: "CONNECTED" } },
        select: { id: true, status: true, statusReason: true, statusChangedAt: true },
      });
      for (const row of rows) {
        const account = installation.accounts.find((candidate) => candidate.accountId === row.id)!;
        if (broken.has(account)) continue;
        broken.set(account, true);
        ledger.prompts.push({
          account,
          token: account.heldToken,
          status: row.status,
          reason: row.statusReason,
          changedAt: row.statusChangedAt?.getTime() ?? clock.now(),
          seenAt: clock.now(),
          phase,
        });
        // The user reads the banner some hours later and reconnects.
        account.reconnectAt = clock.now() + (2 + userRandom[installations.indexOf(installation)]!.int(28)) * HOUR;
      }
    };

    const outboxOutcomes: Record<string, number> = {};
    const jobMs: Record<string, number> = {};
    const jobFailures: string[] = [];
    // As the job loop runs them: a job that throws is logged and the next round runs it again.
    const timed = async (name: string, job: () => Promise<unknown>): Promise<void> => {
      const at = performance.now();
      try {
        await job();
      } catch (error) {
        jobFailures.push(`${name} at ${clock.date().toISOString()}: ${(error as Error).message.split("\n")[0]}`);
        console.error(`soak: ${name} failed`, error);
      } finally {
        jobMs[name] = (jobMs[name] ?? 0) + performance.now() - at;
      }
    };
    const runJobs = async (installation: Installation) => {
      const { deps } = installation;
      await timed("scheduled check", () => checkScheduledConnections(deps));
      await timed("poll", () => poll(installation, 0));
      await timed("merges", () => feedMerges(deps));
      await timed("sequences", () => feedSequences(deps));
      await timed("outbox", async () => {
        for (;;) {
          const outcomes = await runOutboxOnce(deps);
          const total = Object.values(outcomes).reduce((sum, count) => sum + count, 0);
          for (const [outcome, count] of Object.entries(outcomes))
            outboxOutcomes[outcome] = (outboxOutcomes[outcome] ?? 0) + count;
          // The clock stands still inside the hour: a pass that claimed less than a batch left nothing due.
          if (total < OUTBOX.batch) break;
        }
      });
      await timed("keep-alive", () => keepConnectionsAlive(50, deps));
      await timed("poll", () => poll(installation, 1));
    };

    const phaseMs: Record<string, number> = {};
    let phaseStarted = performance.now();
    const phase = (name: string) => {
      const at = performance.now();
      phaseMs[name] = (phaseMs[name] ?? 0) + at - phaseStarted;
      phaseStarted = at;
    };
    const lastStep = scale.days * 24 + DRAIN_HOURS;
    let wave = 0;
    for (let step = 0; step <= lastStep; step++) {
      const stepAt = startMs + step * HOUR;
      // Google's side of the hour, at its middle: grants ended, then its security events delivered.
      if (step > 0) clock.moveTo(stepAt - HOUR / 2);
      for (const [kind, withEvent] of pendingGoogle.get(step) ?? []) {
        const candidates = senders.filter((account) => !broken.has(account) && account !== killAccount);
        const account = random.pick(candidates);
        await endGrantAtGoogle(kind, account, withEvent, clock);
        ledger.actions.push({ kind, account, at: clock.now(), withEvent });
      }
      await Promise.all(installations.map((installation) => installation.control.riscFlush()));
      clock.moveTo(stepAt);
      phase("google events");
      const day = Math.floor(step / 24);
      const inPlan = day < scale.days;

      if (inPlan && step % 24 === 0) {
        for (const account of accounts) {
          const rate =
            account.profile === "daily" ? scale.dailyRate : account.profile === "occasional" ? scale.occasionalRate : 0;
          // Idle accounts wake up at the end: the connection must still work after months unused.
          const count = account.profile === "idle" ? (day === scale.days - 2 ? 1 : 0) : mail.poisson(rate);
          if (count > 0) await composeDay(account, count, mail, clock, ledger);
        }
        if (day > 0 && day % scale.enrolEveryDays === 0 && day < scale.days - 5) wave += 1;
        if (day < scale.days - 5)
          for (const sequence of sequences)
            if (day === 0 || day % scale.enrolEveryDays === 0) await enrolWave(sequence.account, sequence.id, wave);
        if (step % (24 * 10) === 0)
          log(
            `day ${day}: ${ledger.scheduled.length} one-to-one scheduled, ${ledger.prompts.length} reconnect prompts`,
          );
      }
      for (const action of inPlan ? (plan.get(step) ?? []) : []) await action();
      phase("users compose");

      for (const account of accounts) {
        if (account.reconnectAt === undefined || account.reconnectAt > stepAt) continue;
        try {
          const outcome = await reconnect(account, clock);
          if (outcome?.status !== "CONNECTED") throw new Error(`reconnect left ${outcome?.status}`);
          ledger.hold(account, account.heldToken, clock.now());
          ledger.reconnects += 1;
          account.reconnectAt = undefined;
          broken.delete(account);
        } catch (error) {
          ledger.notes.push(
            `reconnect of ${account.label} failed, tried again in an hour: ${(error as Error).message}`,
          );
          account.reconnectAt = stepAt + HOUR;
        }
      }

      phase("reconnects");
      // Google's random failures for this hour.
      for (const installation of installations) {
        if (faults.next() < scale.sendFaultChance)
          await installation.control.addFault(randomFault("gmail.send", faults));
        if (faults.next() < scale.tokenFaultChance) await installation.control.addFault(randomFault("token", faults));
      }
      // A timeout waits for the production installation's next token call, however many hours that takes.
      if (timeoutSteps.has(step)) timeoutsDue += 1;
      if (timeoutsDue > 0) await installations[0]!.control.addFault(TIMEOUT_FAULT);
      const faultsBefore = await Promise.all(installations.map((installation) => installation.control.faults()));

      phase("faults");
      await Promise.all(installations.map(runJobs));
      phase("jobs");

      // Only faults Google actually served count; the rest are withdrawn at the end of the hour.
      for (const [n, installation] of installations.entries()) {
        for (const fault of faultsBefore[n]!) ledger.countFault(fault, fault.count);
        const left = await installation.control.faults();
        for (const fault of left) ledger.countFault(fault, -fault.count);
        if (n === 0 && timeoutsDue > 0 && !left.some((fault) => faultKind(fault) === "token timeout")) timeoutsDue -= 1;
        await installation.control.clearFaults();
      }
      phase("faults");

      if (step === rotationStep) await rotateKeys(installations, ledger, log);
      if (step === killStep && only === "production") {
        killAccount = daily.find((account) => account.installation.name === "production" && !broken.has(account))!;
        const killed = await killWorkerMidSend(killAccount, clock, String(args.seed));
        const message = await killAccount.installation.deps.db.message.findUniqueOrThrow({
          where: { id: killed.messageId },
          select: { userId: true },
        });
        const owner = accounts.find((account) => account.userId === message.userId)!;
        ledger.killed = { account: owner, messageId: killed.messageId };
        log(`worker killed (${killed.exitSignal}) with message ${killed.messageId} of ${owner.label} in flight`);
      }
      if (step === restartStep) {
        await restartDatabase(installations, postgres?.url);
        ledger.notes.push(`database restarted on day ${day}`);
        log(`database ${postgres ? "server restarted" : "client closed and reopened"} on day ${day}`);
      }

      if (!inPlan && step % 24 === 0 && broken.size === 0 && (await nothingPending(installations))) break;
    }
    log(`simulated ${((clock.now() - startMs) / DAY).toFixed(1)} days; auditing`);

    const wallSeconds = (performance.now() - started) / 1000;
    log(
      `job time: ${Object.entries(jobMs)
        .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
        .join(", ")}`,
    );
    log(
      `wall time by phase: ${Object.entries(phaseMs)
        .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
        .join(", ")}`,
    );
    const report = await auditSoak({
      installations,
      ledger,
      clock,
      startMs,
      wallSeconds,
      outboxOutcomes,
      jobFailures,
      timings: { phaseMs, jobMs },
      postgres: !!postgres,
      seed: args.seed,
    });
    writeFileSync(out, JSON.stringify(report));
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

/**
 * The two installations share nothing but the plan, so each runs in a process of its own, side by
 * side on the machine's cores; this process waits for both audits and writes the verdict.
 */
async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.only) {
    if (!args.out) throw new Error("--only needs --out");
    return runInstallation(args, args.only, args.out);
  }
  const started = performance.now();
  const dir = mkdtempSync(path.join(tmpdir(), "evergreen-soak-parts-"));
  try {
    const parts = await Promise.all(
      (["production", "testing"] as const).map((name) => runPart(name, path.join(dir, `${name}.json`))),
    );
    const goal = SCALES[args.short ? "short" : "full"].wallGoalSeconds;
    const report = combineReports(parts, (performance.now() - started) / 1000, goal);
    console.log(formatTable(report));
    mkdirSync("test-results", { recursive: true });
    writeFileSync(
      "test-results/soak.json",
      `${JSON.stringify({ checks: report.checks, metrics: report.metrics }, null, 2)}\n`,
    );
    process.exitCode = report.checks.every((check) => check.ok) ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** node with tsx's loader, not `npx tsx`, so the process is ours to wait for; its log lines get its name. */
async function runPart(name: Installation["name"], out: string): Promise<PartReport> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", process.argv[1]!, ...process.argv.slice(2), "--only", name, "--out", out],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  createInterface({ input: child.stdout }).on("line", (line) => console.log(`${name.padEnd(10)} ${line}`));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`the ${name} installation's run failed (exit ${code})`);
  return JSON.parse(readFileSync(out, "utf8")) as PartReport;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
