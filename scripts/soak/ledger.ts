import type { FaultInput } from "@/google-emulator/control/client";
import type { SoakAccount } from "./installation";

/**
 * What the soak did to Google and what it saw the app do, kept beside the database and the local
 * Google so the audit can hold one against the other.
 */

/** A refresh token Evergreen held from one consent to the next (or to the end of the run). */
export type HeldToken = { account: SoakAccount; token: string; from: number; until?: number };

/** A connection the app stopped calling healthy, when the soak first saw it, and in which phase of its hour. */
export type Prompt = {
  account: SoakAccount;
  token: string;
  status: string;
  reason: string | null;
  changedAt: number;
  seenAt: number;
  /** 0: seen before the hour's outbox pass (after Google's events and the scheduled-mail check); 1: after. */
  phase: 0 | 1;
};

export type GoogleAction = { kind: string; account: SoakAccount; at: number; withEvent: boolean };

export class Ledger {
  held: HeldToken[] = [];
  prompts: Prompt[] = [];
  actions: GoogleAction[] = [];
  reconnects = 0;
  scheduled: Array<{ account: SoakAccount; id: string; sendAt: number }> = [];
  faults = new Map<string, number>();
  killed?: { account: SoakAccount; messageId: string };
  notes: string[] = [];
  rotations: Array<{ installation: string; rewritten: number; unreadable: number; leftOnOldKey: number }> = [];

  hold(account: SoakAccount, token: string, at: number) {
    const current = this.held.findLast((held) => held.account === account && held.until === undefined);
    if (current) current.until = at;
    this.held.push({ account, token, from: at });
  }

  countFault(fault: FaultInput, by = 1) {
    const key = faultKind(fault);
    this.faults.set(key, (this.faults.get(key) ?? 0) + by);
  }
}

export function faultKind(fault: FaultInput): string {
  const what = fault.mode === "drop-after" ? "accept-then-drop" : fault.mode === "drop-before" ? "reset" : "";
  if (what) return `${fault.endpoint} ${what}`;
  if (fault.status === undefined) return `${fault.endpoint} ${(fault.delayMs ?? 0) >= 10_000 ? "timeout" : "slow"}`;
  return `${fault.endpoint} ${fault.status}`;
}
