import pg from "pg";
import { EmulatorControl } from "@/google-emulator/control/client";
import { startGoogleEmulator, type GoogleEmulator } from "@/google-emulator/index";
import { DEV_CLIENT } from "@/google-emulator/seed";
import { connect } from "@/google-emulator/testing";
import { applyGoogleSignIn, linkGoogleAccount, type GoogleTokens } from "@/lib/connection/sign-in";
import { createTokenVault } from "@/lib/connection/token-crypto";
import { searchTextOf } from "@/lib/crm/contacts";
import { googleGateway, type GoogleGateway } from "@/lib/google/gateway";
import { createDb } from "@/lib/platform/db";
import { migrateDatabase } from "@/lib/platform/db-migrations";
import type { AppDeps } from "@/lib/platform/deps";
import type { EncryptionKey, Env } from "@/lib/platform/env";
import { startSecurityEventReceiver } from "@/test-support/security-event-receiver";
import type { SoakClock } from "./clock";

/**
 * One Evergreen installation in the soak: its own database, its own local Google (one OAuth client,
 * in production or in Testing: an installation has one), the security-event receiver registered
 * there, and the app's dependencies on the soak's clock. Two of them share that clock.
 */

export type Profile = "daily" | "occasional" | "idle";

export type SoakAccount = {
  label: string;
  email: string;
  sub: string;
  userId: string;
  accountId: string;
  profile: Profile;
  installation: Installation;
  /** The refresh token Evergreen holds now (the last consent it stored). */
  heldToken: string;
  contactIds: string[];
  /** Soak time at which the user comes back and reconnects, once the app asked them to. */
  reconnectAt?: number;
};

export type Installation = {
  name: "production" | "testing";
  database: Env["database"];
  deps: AppDeps;
  emulator: GoogleEmulator;
  control: EmulatorControl;
  receiver: Awaited<ReturnType<typeof startSecurityEventReceiver>>;
  accounts: SoakAccount[];
  /** Authorization codes exchanged at this Google (sign-ins and consents), apart from the app's refreshes. */
  codeExchanges: number;
};

/**
 * Google's expiry comes back on google-auth-library's clock (Date.now() + expires_in), which the soak
 * does not move; it is carried over to the soak's clock as Auth.js would compute it at that moment.
 */
function onClock(google: GoogleGateway, clock: SoakClock): GoogleGateway {
  return {
    ...google,
    refresh: async (token) => {
      const refreshed = await google.refresh(token);
      return { ...refreshed, expiresAt: refreshed.expiresAt + Math.round((clock.now() - Date.now()) / 1000) };
    },
  };
}

export function soakGateway(googleUrl: string, clock: SoakClock): GoogleGateway {
  return onClock(
    googleGateway({ clientId: DEV_CLIENT.id, clientSecret: DEV_CLIENT.secret, baseUrl: googleUrl }),
    clock,
  );
}

/** A database of its own for each installation: a SQLite file, or a database on the soak's PostgreSQL. */
export async function installationDatabase(
  name: string,
  sqliteDir: string,
  postgresUrl: string | undefined,
): Promise<Env["database"]> {
  if (!postgresUrl) return { provider: "sqlite", url: `file:${sqliteDir}/${name}.db` };
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE soak_${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/soak_${name}`;
  return { provider: "postgresql", url: url.toString() };
}

export async function startInstallation(
  name: Installation["name"],
  database: Env["database"],
  clock: SoakClock,
  keys: EncryptionKey[],
): Promise<Installation> {
  await migrateDatabase(database);
  const emulator = await startGoogleEmulator({ port: 0, clock, devClient: { publishingStatus: name } });
  const deps: AppDeps = {
    db: createDb(database),
    keys,
    vault: createTokenVault(keys),
    google: soakGateway(emulator.url, clock),
    now: clock.date,
    publishingStatus: name,
    dailySendLimit: 2_000,
  };
  // The receiver reads deps.db at each event: the soak swaps the installation's client in place.
  const receiver = await startSecurityEventReceiver(emulator.url, deps);
  return {
    name,
    database,
    deps,
    emulator,
    control: new EmulatorControl(emulator.url),
    receiver,
    accounts: [],
    codeExchanges: 0,
  };
}

/** The user's "Connect Gmail" at this Google: the screens, consent, the code exchange; Auth.js's `account`. */
async function consent(installation: Installation, email: string, sub: string, clock: SoakClock) {
  const { tokens } = await connect(installation.emulator.url, { prompt: "consent", account: email });
  installation.codeExchanges += 1;
  if (!tokens.refresh_token || !tokens.expiry_date) throw new Error(`no refresh token for ${email}`);
  const account: GoogleTokens = {
    providerAccountId: sub,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    token_type: tokens.token_type,
    scope: tokens.scope,
    expires_at: Math.floor((tokens.expiry_date - Date.now() + clock.now()) / 1000),
  };
  return { account, refreshToken: tokens.refresh_token };
}

const CONTACTS_PER_ACCOUNT = 6;

export async function addAccount(
  installation: Installation,
  label: string,
  profile: Profile,
  clock: SoakClock,
): Promise<SoakAccount> {
  const { deps, control } = installation;
  const email = `${label}@soak.test`;
  const { sub } = await control.addUser({ email, name: `Soak ${label}` });
  const userId = (await deps.db.user.create({ data: { email, name: `Soak ${label}` } })).id;
  const { account, refreshToken } = await consent(installation, email, sub, clock);
  await linkGoogleAccount({ ...account, userId, type: "oidc", provider: "google" }, deps);
  const { id: accountId } = await deps.db.account.findFirstOrThrow({ where: { userId }, select: { id: true } });
  const contactIds = await addContacts(deps, userId, label, 0, CONTACTS_PER_ACCOUNT);
  const soakAccount: SoakAccount = {
    label,
    email,
    sub,
    userId,
    accountId,
    profile,
    installation,
    heldToken: refreshToken,
    contactIds,
  };
  installation.accounts.push(soakAccount);
  return soakAccount;
}

export async function addContacts(deps: AppDeps, userId: string, label: string, from: number, count: number) {
  const ids: string[] = [];
  for (let n = from; n < from + count; n++) {
    const values = { name: `Person ${n} of ${label}`, email: `p${n}.${label}@example.test`, company: "Acme" };
    const { id } = await deps.db.contact.create({
      data: { userId, ...values, firstName: `Person${n}`, searchText: searchTextOf(values) },
      select: { id: true },
    });
    ids.push(id);
  }
  return ids;
}

/** The user comes back and reconnects, as the sign-in callback does: a new consent, stored. */
export async function reconnect(account: SoakAccount, clock: SoakClock) {
  const { account: tokens, refreshToken } = await consent(account.installation, account.email, account.sub, clock);
  const outcome = await applyGoogleSignIn(tokens, {}, account.installation.deps);
  if (outcome?.status === "CONNECTED") account.heldToken = refreshToken;
  return outcome;
}

/** Consents the same OAuth client gives elsewhere (another copy of the app on the same client id). */
export async function consentElsewhere(account: SoakAccount, clock: SoakClock): Promise<void> {
  await consent(account.installation, account.email, account.sub, clock);
}
