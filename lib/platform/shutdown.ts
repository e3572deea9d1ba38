type Signal = "SIGTERM" | "SIGINT";
type Listener = (signal: Signal) => void;
type SignalTarget = Pick<NodeJS.Process, "listeners" | "removeListener" | "on" | "exit">;

const SIGNALS: readonly Signal[] = ["SIGTERM", "SIGINT"];

/**
 * On the first SIGTERM or SIGINT, runs `finish` for at most `graceMs`, then hands the signal to the
 * listeners that held it before: in `next start` and the standalone server.js, Next.js's own, which
 * stop accepting connections, let the requests in flight end and exit (Next.js adds them before it runs
 * instrumentation.ts). With none, as in a worker, the process exits with 0. A second signal does not
 * wait. Work still running after the grace is cut off: the outbox's leases settle its messages.
 */
export function finishBeforeExit(finish: () => Promise<void>, graceMs: number, target: SignalTarget = process): void {
  const previous = new Map(SIGNALS.map((signal) => [signal, target.listeners(signal) as Listener[]]));
  let finishing = false;
  let handedOver = false;
  const handOver = (signal: Signal) => {
    if (handedOver) return;
    handedOver = true;
    for (const [signalName, listeners] of previous) {
      target.removeListener(signalName, onSignal);
      for (const listener of listeners) target.on(signalName, listener);
    }
    const listeners = previous.get(signal) ?? [];
    if (listeners.length === 0) target.exit(0);
    for (const listener of listeners) listener(signal);
  };
  const onSignal = (signal: Signal) => {
    if (finishing) return handOver(signal);
    finishing = true;
    void withinGrace(finish(), graceMs).then(() => handOver(signal));
  };
  // Only the listeners process.listeners() shows: tsx hides its own, which tells its parent the signal was handled.
  for (const [signal, listeners] of previous) {
    for (const listener of listeners) target.removeListener(signal, listener);
    target.on(signal, onSignal);
  }
}

async function withinGrace(work: Promise<void>, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"grace over">((resolve) => {
    timer = setTimeout(() => resolve("grace over"), graceMs);
  });
  const ended = await Promise.race([
    work.then(
      () => "finished" as const,
      (error: unknown) => {
        console.error("[evergreen] shutdown: finishing the work in flight failed", error);
        return "finished" as const;
      },
    ),
    graceOver,
  ]);
  clearTimeout(timer);
  if (ended === "grace over")
    console.error(`[evergreen] shutdown: work still running after ${graceMs} ms is left to the outbox's leases`);
}
