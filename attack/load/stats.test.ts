import { describe, expect, it } from "vitest";
import { percentile, summarizeByRoute } from "./stats";

describe("the load test's page-time summary", () => {
  it("reports nearest-rank percentiles: p95 of 1..100 ms is 95 ms, the p50 of four samples is the second", () => {
    const times = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(times, 95)).toBe(95);
    expect(percentile(times, 99)).toBe(99);
    expect(percentile([40, 10, 30, 20], 50)).toBe(20);
    expect(percentile([], 95)).toBe(0);
  });

  it("counts 5xx, network errors and other statuses per route, and keeps failed requests out of the times", () => {
    const [dashboard, send, all] = summarizeByRoute([
      { route: "GET /dashboard", status: 200, ms: 80 },
      { route: "GET /dashboard", status: 502, ms: 5 },
      { route: "POST send", status: 429, ms: 12 },
      { route: "POST send", status: 0, ms: 30_000 },
      { route: "GET /dashboard", status: 307, ms: 7 },
    ]);
    expect(dashboard).toMatchObject({ requests: 3, serverErrors: 1, networkErrors: 0, otherStatuses: { 307: 1 } });
    expect(send).toMatchObject({ requests: 2, serverErrors: 0, networkErrors: 1, otherStatuses: { 429: 1 }, max: 12 });
    expect(all).toMatchObject({ route: "all", requests: 5, serverErrors: 1, networkErrors: 1, max: 80 });
  });
});
