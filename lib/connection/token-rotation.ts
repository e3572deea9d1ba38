import { appDeps, type AppDeps } from "../platform/deps";
import { decryptToken, encryptToken, keyIdOf } from "./token-crypto";

/**
 * `npm run tokens:rotate`: re-seals every stored token with the current (first) key, so an old key can
 * then be removed from TOKEN_ENCRYPTION_KEYS. Each row is rewritten only if it still holds the value
 * that was read, so a sign-in racing the rotation is never overwritten with an older token.
 */

export type RotationReport = { rewritten: number; alreadyCurrent: number; unreadable: string[] };

const ACCOUNT_TOKEN_COLUMNS = ["access_token", "refresh_token", "id_token"] as const;

export async function rotateTokenEncryption(deps: AppDeps = appDeps()): Promise<RotationReport> {
  const { db, keys } = deps;
  const currentId = keys[0]?.id;
  if (!currentId) throw new Error("No token encryption key is configured");
  const report: RotationReport = { rewritten: 0, alreadyCurrent: 0, unreadable: [] };

  const reseal = (stored: string | null, rowId: string, label: string): string | null | undefined => {
    if (stored === null) return undefined;
    if (keyIdOf(stored) === currentId) {
      report.alreadyCurrent += 1;
      return undefined;
    }
    try {
      return encryptToken(decryptToken(stored, rowId, keys), rowId, keys);
    } catch {
      report.unreadable.push(label);
      return undefined;
    }
  };

  const accounts = await db.account.findMany({
    select: { id: true, access_token: true, refresh_token: true, id_token: true },
  });
  for (const account of accounts) {
    const data: Partial<Record<(typeof ACCOUNT_TOKEN_COLUMNS)[number], string>> = {};
    const unchanged: Partial<Record<(typeof ACCOUNT_TOKEN_COLUMNS)[number], string>> = {};
    for (const column of ACCOUNT_TOKEN_COLUMNS) {
      const resealed = reseal(account[column], account.id, `Account ${account.id} ${column}`);
      if (resealed) {
        data[column] = resealed;
        unchanged[column] = account[column]!;
      }
    }
    if (Object.keys(data).length === 0) continue;
    const { count } = await db.account.updateMany({ where: { id: account.id, ...unchanged }, data });
    report.rewritten += count * Object.keys(data).length;
  }

  const pending = await db.pendingRevocation.findMany({ select: { id: true, token: true } });
  for (const revocation of pending) {
    const resealed = reseal(revocation.token, revocation.id, `PendingRevocation ${revocation.id}`);
    if (!resealed) continue;
    const { count } = await db.pendingRevocation.updateMany({
      where: { id: revocation.id, token: revocation.token },
      data: { token: resealed },
    });
    report.rewritten += count;
  }
  return report;
}
