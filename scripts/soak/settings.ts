import type { SeededRandom } from "@/test-support/seeded-random";
/** How big a soak is: the full run (issue #22) and the short one that keeps every kind of event. */
export type SoakScale = {
  days: number;
  productionAccounts: number;
  testingAccounts: number;
  /** Of each installation's accounts: sending most days, now and then, or idle until the last days. */
  share: { daily: number; occasional: number };
  /** Mean one-to-one sends a day of a daily and of an occasional sender. */
  dailyRate: number;
  occasionalRate: number;
  merges: number;
  sequenceAccounts: number;
  /** Days between waves of new contacts enrolled in each sequence. */
  enrolEveryDays: number;
  revokedWithEvent: number;
  revokedSilently: number;
  passwordChanges: number;
  evictions: number;
  /** Chance per hour and installation that Google's next send / token call fails. */
  sendFaultChance: number;
  tokenFaultChance: number;
  /** Token calls that time out (each costs the app's 10 s request timeout in wall time). */
  tokenTimeouts: number;
  wallGoalSeconds: number;
};

export const SCALES: Record<"full" | "short", SoakScale> = {
  full: {
    days: 180,
    productionAccounts: 50,
    testingAccounts: 50,
    share: { daily: 0.4, occasional: 0.4 },
    dailyRate: 1.25,
    occasionalRate: 0.2,
    merges: 12,
    sequenceAccounts: 10,
    enrolEveryDays: 15,
    revokedWithEvent: 8,
    revokedSilently: 8,
    passwordChanges: 6,
    evictions: 2,
    sendFaultChance: 0.12,
    tokenFaultChance: 0.04,
    tokenTimeouts: 2,
    wallGoalSeconds: 600,
  },
  short: {
    days: 21,
    productionAccounts: 10,
    testingAccounts: 10,
    share: { daily: 0.4, occasional: 0.4 },
    dailyRate: 1.25,
    occasionalRate: 0.3,
    merges: 3,
    sequenceAccounts: 3,
    enrolEveryDays: 7,
    revokedWithEvent: 2,
    revokedSilently: 2,
    passwordChanges: 2,
    evictions: 1,
    sendFaultChance: 0.25,
    tokenFaultChance: 0.08,
    tokenTimeouts: 1,
    wallGoalSeconds: 90,
  },
};

/** An installation's share of the plan: its own accounts, and events in proportion (at least one of each kind). */
export function soakScale(args: { short: boolean; days?: number }, only: "production" | "testing"): SoakScale {
  const base = { ...SCALES[args.short ? "short" : "full"], ...(args.days ? { days: args.days } : {}) };
  const mine = only === "production" ? base.productionAccounts : base.testingAccounts;
  const share = mine / (base.productionAccounts + base.testingAccounts);
  const part = (count: number) => (count === 0 ? 0 : Math.max(1, Math.ceil(count * share)));
  return {
    ...base,
    productionAccounts: only === "production" ? mine : 0,
    testingAccounts: only === "testing" ? mine : 0,
    merges: part(base.merges),
    sequenceAccounts: part(base.sequenceAccounts),
    revokedWithEvent: part(base.revokedWithEvent),
    revokedSilently: part(base.revokedSilently),
    passwordChanges: part(base.passwordChanges),
    evictions: part(base.evictions),
    tokenTimeouts: part(base.tokenTimeouts),
  };
}

/** The soak's generator: a seed replays the same six months (test-support/seeded-random.ts). */
export type SoakRandom = SeededRandom;
