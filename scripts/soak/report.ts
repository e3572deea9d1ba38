import type { Check, Metrics, PartReport, SoakReport } from "./audit";

/** The soak's verdict as the lead reads it: both installations' audits as one table and one file. */

/** Numbers add up, flags hold if any part's does, tallies add up key by key; text is the first part's. */
function merged(a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (typeof a === "boolean" && typeof b === "boolean") return a || b;
  if (Array.isArray(a) && Array.isArray(b)) return [...(a as unknown[]), ...(b as unknown[])];
  if (a && b && typeof a === "object" && typeof b === "object") {
    const out: Metrics = { ...(a as Metrics) };
    for (const [key, value] of Object.entries(b as Metrics)) out[key] = key in out ? merged(out[key], value) : value;
    return out;
  }
  return a ?? b;
}

/** The two installations' audits as one: each check holds for both, the numbers add up, and the whole run's time. */
export function combineReports(parts: PartReport[], wallSeconds: number, goalSeconds: number): SoakReport {
  const names = [...new Set(parts.flatMap((part) => part.checks.map((check) => check.name)))];
  const checks: Check[] = names.map((name) => {
    // A check only one installation runs (the killed worker is the production one's) counts where it ran.
    const each = parts.flatMap((part) => {
      const check = part.checks.find((candidate) => candidate.name === name);
      return check ? [{ part, check }] : [];
    });
    return {
      name,
      ok: each.every(({ check }) => check.ok),
      detail: each.map(({ part, check }) => `${part.installation}: ${check.detail}`).join(" | "),
    };
  });
  const m = parts.map((part) => part.metrics).reduce((a, b) => merged(a, b) as Metrics);
  const num = (key: string) => m[key] as number;
  const days = Math.max(...parts.map((part) => part.metrics.simulatedDays as number));
  const metrics: Metrics = {
    ...m,
    simulatedDays: days,
    seed: parts[0]!.metrics.seed,
    tokenCallsPerAccountDay: Number((num("tokenCalls") / (num("accounts") * days)).toFixed(3)),
    refreshesPerAccountDay: Number((num("refreshes") / (num("accounts") * days)).toFixed(3)),
    deathsReportedBeforeNextSend: num("deathsDue") === 0 ? 1 : num("deathsReportedBefore") / num("deathsDue"),
    installationWallSeconds: Object.fromEntries(parts.map((part) => [part.installation, part.metrics.wallSeconds])),
    wallSeconds: Number(wallSeconds.toFixed(1)),
  };
  const kinds = Object.entries(m.kinds as Record<string, boolean>);
  checks.push({
    name: "soak: every kind of event happened",
    ok: kinds.every(([, ok]) => ok),
    detail: kinds.map(([kind, ok]) => `${kind} ${ok ? "✓" : "✗"}`).join(", "),
  });
  checks.push({
    name: "soak: wall time",
    ok: wallSeconds <= goalSeconds,
    detail: `${wallSeconds.toFixed(1)} s (goal ≤ ${goalSeconds} s; the installations ran side by side: ${parts.map((part) => `${part.installation} ${part.metrics.wallSeconds as number} s`).join(", ")})`,
  });
  return { checks, metrics, rows: rowsOf(metrics) };
}

function rowsOf(metrics: Metrics): Array<[string, string]> {
  const n = (key: string) => metrics[key] as number;
  const failures = metrics.jobFailures as string[];
  return [
    [
      "simulated",
      `${n("simulatedDays")} days, ${n("accounts")} accounts (${metrics.database as string}, seed ${n("seed")})`,
    ],
    ["scheduled one-to-one", String(n("scheduledOneToOne"))],
    ["sent", `${n("sent")} (one-to-one ${n("sentOneToOne")}, merge ${n("sentMerge")}, sequence ${n("sentSequence")})`],
    ["failed / cancelled", `${n("failed")} / ${n("cancelled")}`],
    ["lost", String(n("lost"))],
    ["duplicated", String(n("duplicated"))],
    [
      "unknown",
      `${n("unknown")} (accept-then-drop ${n("unknownAcceptThenDrop")}, killed worker ${n("unknownKilledWorker")}; shown ${n("shown")})`,
    ],
    [
      "reconnect prompts",
      `${n("reconnectPrompts")}, false ${n("falseReconnectPrompts")}; reconnects ${n("reconnects")}`,
    ],
    ["grant deaths", `${n("grantDeaths")} ${JSON.stringify(metrics.grantDeathCauses)}`],
    [
      "reported before next send",
      `${(n("deathsReportedBeforeNextSend") * 100).toFixed(1)} % (${n("deathsReportedBefore")}/${n("deathsDue")}; sends due sooner: ${n("deathsInsideLeadReportedBefore")}/${n("deathsInsideLead")})`,
    ],
    [
      "token calls / account-day",
      `${n("tokenCallsPerAccountDay")} (refreshes ${n("refreshesPerAccountDay")}; ${n("tokenCalls")} calls, ${n("codeExchanges")} code exchanges)`,
    ],
    [
      "faults served",
      Object.entries(metrics.faultsServed as Record<string, number>)
        .filter(([, count]) => count > 0)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(", "),
    ],
    ["job rounds that failed", `${failures.length}${failures.length ? ` (${failures[0]})` : ""}`],
    ["wall time", `${n("wallSeconds")} s (${JSON.stringify(metrics.installationWallSeconds)})`],
  ];
}

export function formatTable(report: SoakReport): string {
  const width = Math.max(...report.rows.map(([label]) => label.length));
  return [
    ...report.rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
    "",
    ...report.checks.map((c) => `${c.ok ? "ok  " : "FAIL"}  ${c.name}: ${c.detail}`),
  ].join("\n");
}
