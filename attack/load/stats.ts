/** Response statuses and times per route, as the load test records them. */

export type Sample = { route: string; status: number; ms: number; error?: string };

export type RouteSummary = {
  route: string;
  requests: number;
  /** Answers of 500 and above; network errors are counted as status 0. */
  serverErrors: number;
  networkErrors: number;
  otherStatuses: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  max: number;
};

/** The nearest-rank percentile (the smallest value at or above p% of the samples); 0 when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export function summarize(route: string, samples: readonly Sample[]): RouteSummary {
  const times = samples.filter((s) => s.status !== 0).map((s) => s.ms);
  const otherStatuses: Record<string, number> = {};
  for (const { status } of samples) {
    if (status === 0 || status >= 500 || (status >= 200 && status < 300)) continue;
    otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
  }
  return {
    route,
    requests: samples.length,
    serverErrors: samples.filter((s) => s.status >= 500).length,
    networkErrors: samples.filter((s) => s.status === 0).length,
    otherStatuses,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    max: times.length > 0 ? Math.max(...times) : 0,
  };
}

/** One summary per route in first-seen order, then "all" over every sample. */
export function summarizeByRoute(samples: readonly Sample[]): RouteSummary[] {
  const byRoute = new Map<string, Sample[]>();
  for (const sample of samples) {
    const list = byRoute.get(sample.route);
    if (list) list.push(sample);
    else byRoute.set(sample.route, [sample]);
  }
  return [...[...byRoute].map(([route, list]) => summarize(route, list)), summarize("all", samples)];
}

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join("  "),
    )
    .join("\n");
}
