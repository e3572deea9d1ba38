import type { EmulatorConfig } from "../config";
import type { SetFaultKind } from "./risc-state";

export interface DeliveryJob {
  jti: string;
  eventType: string;
  userEmail: string | null;
  url: string;
  set: string;
  fault: SetFaultKind | null;
  /** Real milliseconds before the first attempt (the delay fault). */
  delayMs?: number;
}

export type DeliveryOutcome = "accepted" | "retrying" | "failed" | "dropped" | "pending";

/** One attempt, or one SET that was never sent. */
export interface DeliveryRow {
  jti: string;
  eventType: string;
  userEmail: string | null;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  outcome: DeliveryOutcome;
  fault: SetFaultKind | null;
  at: string;
  set: string;
}

type DeliverySettings = Pick<
  EmulatorConfig,
  "riscDeliveryTimeoutMs" | "riscAcceptAny2xx" | "riscMaxAttempts" | "riscRetryDelayMs"
>;

type Answer = { status: number; body: string } | { error: string };

const FLUSH_LIMIT_MS = 30_000;

/**
 * Pushes SETs to receivers (RFC 8935) in the background, on real-time timers: the trigger's reply never
 * waits. Retries 5xx, 429, timeouts and network errors a limited number of times, then drops (§3.2).
 */
export class SetDelivery {
  private rows: DeliveryRow[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private inFlight = new Set<AbortController>();
  /** SETs held back by the reorder fault until the next one has been tried. */
  private held: DeliveryJob[] = [];
  private pending = 0;
  private idle: (() => void)[] = [];
  /** Bumped by reset, so that work started before it records nothing after it. */
  private generation = 0;
  private closed = false;

  constructor(private readonly settings: () => DeliverySettings) {}

  deliveries(): DeliveryRow[] {
    return this.rows.map((row) => ({ ...row }));
  }

  /** A SET that is never sent: the stream is disabled, or a drop fault. */
  recordDrop(job: DeliveryJob, reason: string): void {
    this.rows.push(row(job, 0, { outcome: "dropped", error: reason }));
  }

  submit(job: DeliveryJob): void {
    if (this.closed) return;
    if (job.fault === "drop") return this.recordDrop(job, "fault: drop");
    if (job.fault === "reorder") {
      this.pending += 1;
      this.held.push(job);
      return;
    }
    const released = this.held.splice(0);
    this.pending += 1;
    this.begin(job, () => {
      if (job.fault === "duplicate") {
        this.pending += 1;
        this.begin({ ...job, delayMs: 0 });
      }
      // Held SETs go right after this one, so the receiver sees the newer event first.
      for (const heldJob of released) this.begin(heldJob);
    });
  }

  /** Resolves when nothing is left to send or retry (held SETs are released); answers what is still pending. */
  async flush(limitMs = FLUSH_LIMIT_MS): Promise<number> {
    for (const heldJob of this.held.splice(0)) this.begin(heldJob);
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idle.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs))),
      ]);
      clearTimeout(timer);
    }
    return this.pending;
  }

  /** Cancels every timer and request in flight and forgets the log. */
  reset(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.held = [];
    this.pending = 0;
    this.rows = [];
    this.settle();
  }

  close(): void {
    this.reset();
    this.closed = true;
  }

  private begin(job: DeliveryJob, afterFirstAttempt?: () => void): void {
    const generation = this.generation;
    this.later(job.delayMs ?? 0, () => void this.attempt(job, 1, generation, afterFirstAttempt));
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private async attempt(job: DeliveryJob, n: number, generation: number, afterFirstAttempt?: () => void) {
    const entry = row(job, n, { outcome: "pending" });
    this.rows.push(entry);
    const answer = await this.post(job);
    if (generation !== this.generation) return;
    const settings = this.settings();
    const [acceptAny2xx, maxAttempts, retryDelayMs] = [
      settings.riscAcceptAny2xx,
      settings.riscMaxAttempts,
      settings.riscRetryDelayMs,
    ];
    if ("error" in answer) entry.error = answer.error;
    else entry.status = answer.status;
    const status = "status" in answer ? answer.status : undefined;
    const success = status !== undefined && status >= 200 && status < 300;
    let finished = true;
    if (status === 202 || (success && acceptAny2xx)) {
      entry.outcome = "accepted";
    } else if (success) {
      entry.outcome = "failed";
      entry.error = `answered ${status} where 202 was expected (riscAcceptAny2xx is off); not retried`;
    } else if (status === undefined || status >= 500 || status === 429) {
      if ("body" in answer) entry.error = answer.body.slice(0, 500) || null;
      if (n < maxAttempts) {
        entry.outcome = "retrying";
        finished = false;
        this.later(retryDelayMs * 2 ** (n - 1), () => void this.attempt(job, n + 1, generation));
      } else {
        entry.outcome = "failed";
        this.rows.push(row(job, n, { outcome: "dropped", error: `gave up after ${n} attempts` }));
      }
    } else {
      entry.outcome = "failed";
      entry.error = "body" in answer ? answer.body.slice(0, 500) || null : null;
    }
    // Before done(), so that a flush waiting for zero also waits for the duplicate or held SETs.
    afterFirstAttempt?.();
    if (finished) this.done();
  }

  private async post(job: DeliveryJob): Promise<Answer> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeoutMs = this.settings().riscDeliveryTimeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await fetch(job.url, {
        method: "POST",
        headers: { "Content-Type": "application/secevent+jwt", Accept: "application/json" },
        body: job.set,
        redirect: "manual",
        signal: controller.signal,
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { error: timedOut ? `timed out after ${timeoutMs} ms` : describe(error) };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private done(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.settle();
  }

  private settle(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }
}

function row(job: DeliveryJob, attempt: number, fields: Partial<DeliveryRow>): DeliveryRow {
  return {
    jti: job.jti,
    eventType: job.eventType,
    userEmail: job.userEmail,
    url: job.url,
    attempt,
    status: null,
    error: null,
    outcome: "pending",
    fault: job.fault,
    at: new Date().toISOString(),
    set: job.set,
    ...fields,
  };
}

function describe(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
