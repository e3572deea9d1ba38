import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { expect, type Page } from "@playwright/test";
import type { EmulatorConfig } from "@/google-emulator/config";
import { EmulatorControl, type ControlRequest } from "@/google-emulator/control/client";
import { decryptToken } from "@/lib/connection/token-crypto";
import { E2E } from "./e2e-config";

const control = new EmulatorControl(E2E.emulatorUrl);

/** The local Google's control API (google-emulator/control/client.ts), as the e2e specs use it. */
export const googleEmulator = {
  /** The typed control client, for what the helpers below do not cover (security events, account state). */
  control,
  call<T>(path: string, init: ControlRequest = {}): Promise<T> {
    return control.call<T>(path, init);
  },
  /** A Google user of the test's own, so specs never share an account in the app's database. */
  async createUser(label: string): Promise<{ email: string; name: string }> {
    const email = `${label}-${randomBytes(3).toString("hex")}@evergreen.test`;
    const name = `E2E ${label}`;
    await control.addUser({ email, name });
    return { email, name };
  },
  configure(config: Partial<EmulatorConfig>) {
    return control.configure(config);
  },
  tokensOf(email: string) {
    return control.tokensOf(email);
  },
};

/** Clicks through Google's account chooser (when shown) and consent screen, back to the app. */
export async function approveOnGoogle(page: Page, email: string, options: { untickSend?: boolean } = {}) {
  await page.waitForURL((url) => url.origin === E2E.emulatorUrl);
  const chooser = page.getByRole("heading", { name: "Choose an account" });
  const consentAllow = page.getByRole("button", { name: "Allow" });
  await expect(chooser.or(consentAllow)).toBeVisible();
  if (await chooser.isVisible())
    await page.getByRole("button", { name: new RegExp(email.replace(/[.+]/g, "\\$&")) }).click();
  const send = page.getByRole("checkbox", { name: "Send email on your behalf" });
  await expect(send).toBeChecked();
  if (options.untickSend) await send.uncheck();
  await consentAllow.click();
  await page.waitForURL((url) => url.origin === new URL(E2E.appUrl).origin);
}

export async function signInWithGoogle(page: Page, email: string, options: { untickSend?: boolean } = {}) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await approveOnGoogle(page, email, options);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();
}

/** What the app stored for a user's Google account, read straight from its database file. */
export function storedAccount(email: string) {
  const db = new Database(E2E.databaseFile, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT a.id, a.refresh_token, a.access_token, a.id_token, a.status, a.statusReason FROM "Account" a JOIN "User" u ON u.id = a.userId WHERE u.email = ?`,
      )
      .get(email) as
      | {
          id: string;
          refresh_token: string | null;
          access_token: string | null;
          id_token: string | null;
          status: string;
          statusReason: string | null;
        }
      | undefined;
    if (!row) throw new Error(`no account stored for ${email}`);
    const open = (value: string | null) => (value === null ? null : decryptToken(value, row.id, E2E.tokenKeys));
    return { ...row, refreshToken: open(row.refresh_token), accessToken: open(row.access_token) };
  } finally {
    db.close();
  }
}

/** Every byte the app's SQLite database holds on disk, including its write-ahead log. */
export function rawDatabaseBytes(): string {
  return [E2E.databaseFile, `${E2E.databaseFile}-wal`]
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString("latin1"))
    .join("");
}
