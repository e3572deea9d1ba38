import type { DisableReason } from "./events";

export const SET_FAULT_KINDS = [
  "duplicate",
  "reorder",
  "delay",
  "drop",
  "bad-signature",
  "unknown-kid",
  "wrong-aud",
  "wrong-iss",
  "expired-exp",
] as const;
export type SetFaultKind = (typeof SET_FAULT_KINDS)[number];

export interface SetFault {
  kind: SetFaultKind;
  /** How many upcoming SETs the fault applies to. */
  count: number;
  /** `delay` only: real milliseconds before the first attempt. */
  delayMs?: number;
}

export interface ServiceAccount {
  email: string;
  keyId: string;
  publicKeyPem: string;
  projectId: string;
}

/** One Cloud project's stream, as stream:update stored it. */
export interface Stream {
  projectId: string;
  delivery: { delivery_method: string; url: string };
  events_requested: string[];
  status: "enabled" | "disabled";
  updatedAt: number;
}

export interface DisabledAccount {
  reason?: DisableReason;
  since: number;
}

/** What the local Google remembers for Cross-Account Protection; part of EmulatorState. */
export class RiscState {
  serviceAccounts = new Map<string, ServiceAccount>();
  /** By project id. */
  streams = new Map<string, Stream>();
  /** By user sub. */
  disabledUsers = new Map<string, DisabledAccount>();
  private faults: SetFault[] = [];

  clear(): void {
    this.serviceAccounts.clear();
    this.streams.clear();
    this.disabledUsers.clear();
    this.faults = [];
  }

  addServiceAccount(account: ServiceAccount): void {
    this.serviceAccounts.set(account.email, account);
  }

  isDisabled(userSub: string): boolean {
    return this.disabledUsers.has(userSub);
  }

  addFault(fault: SetFault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
  }

  listFaults(): SetFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Takes one use of the oldest fault: each SET gets at most one. */
  takeFault(): SetFault | undefined {
    const fault = this.faults[0];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.shift();
    return { ...fault };
  }
}

export function parseSetFault(input: unknown): SetFault {
  if (!input || typeof input !== "object") throw new Error("Fault must be a JSON object");
  const raw = input as Record<string, unknown>;
  if (!SET_FAULT_KINDS.includes(raw.kind as SetFaultKind))
    throw new Error(`kind must be one of ${SET_FAULT_KINDS.join(", ")}`);
  const count = raw.count ?? 1;
  if (typeof count !== "number" || count < 1) throw new Error("count must be a positive number");
  if (raw.delayMs !== undefined && (typeof raw.delayMs !== "number" || raw.delayMs < 0))
    throw new Error("delayMs must be a non-negative number");
  if (raw.kind === "delay" && raw.delayMs === undefined) throw new Error("delay needs delayMs");
  return {
    kind: raw.kind as SetFaultKind,
    count,
    ...(raw.delayMs !== undefined ? { delayMs: raw.delayMs as number } : {}),
  };
}
