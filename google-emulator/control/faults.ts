export const FAULT_ENDPOINTS = [
  "authorize",
  "token",
  "revoke",
  "tokeninfo",
  "userinfo",
  "certs",
  "discovery",
  "gmail.send",
  "gmail.profile",
  "gmail.threads.get",
  "risc.discovery",
  "risc.stream",
  "risc.status",
  "risc.verify",
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

export interface Fault {
  endpoint: FaultEndpoint;
  /** How many upcoming calls the fault applies to. */
  count: number;
  /** respond: answer with status/body (or, without status, just delay and handle normally);
   *  drop-before: close the socket without handling; drop-after: handle fully, then close without answering. */
  mode: "respond" | "drop-before" | "drop-after";
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export class FaultQueue {
  private faults: Fault[] = [];

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Takes one use of the first fault programmed for this endpoint. */
  take(endpoint: string): Fault | undefined {
    const fault = this.faults.find((f) => f.endpoint === endpoint);
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }
}

export function parseFault(input: unknown): Fault {
  if (!input || typeof input !== "object") throw new Error("Fault must be a JSON object");
  const raw = input as Record<string, unknown>;
  if (!FAULT_ENDPOINTS.includes(raw.endpoint as FaultEndpoint))
    throw new Error(`endpoint must be one of ${FAULT_ENDPOINTS.join(", ")}`);
  const mode = raw.mode ?? "respond";
  if (mode !== "respond" && mode !== "drop-before" && mode !== "drop-after")
    throw new Error("mode must be respond, drop-before or drop-after");
  const count = raw.count ?? 1;
  if (typeof count !== "number" || count < 1) throw new Error("count must be a positive number");
  if (raw.status !== undefined && typeof raw.status !== "number") throw new Error("status must be a number");
  if (raw.delayMs !== undefined && typeof raw.delayMs !== "number") throw new Error("delayMs must be a number");
  return {
    endpoint: raw.endpoint as FaultEndpoint,
    count,
    mode,
    ...(raw.status !== undefined ? { status: raw.status as number } : {}),
    ...(raw.body !== undefined ? { body: raw.body } : {}),
    ...(raw.headers !== undefined ? { headers: raw.headers as Record<string, string> } : {}),
    ...(raw.delayMs !== undefined ? { delayMs: raw.delayMs as number } : {}),
  };
}
