import { retryPendingRevocations } from "./revocation";

/**
 * Periodic work that runs inside the Node server: today, retrying revokes that Google did not answer
 * at disconnect time. Timers are unref'd so they never keep a process alive on their own.
 */
const REVOKE_RETRY_INTERVAL_MS = 60_000;

let started = false;

export function startBackgroundJobs(): void {
  if (started) return;
  started = true;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const { revoked, failed } = await retryPendingRevocations();
      if (revoked + failed > 0) console.log(`[evergreen] pending revokes: ${revoked} done, ${failed} not revoked yet`);
    } catch (error) {
      console.error("[evergreen] pending revoke retry failed", error);
    } finally {
      running = false;
    }
  };
  setInterval(() => void tick(), REVOKE_RETRY_INTERVAL_MS).unref();
}
