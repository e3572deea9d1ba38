import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";

/**
 * The load test shares `.next` and the machine with the end-to-end runs, which take this lock (see
 * common practice in e2e/): it runs only while holding it, taken by its caller
 * (`flock /tmp/evergreen-e2e.lock tsx attack/load/load-test.ts`) or else by re-running itself under flock.
 */
export const E2E_LOCK = "/tmp/evergreen-e2e.lock";

function ancestors(): Set<number> {
  const pids = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !pids.has(pid)) {
    pids.add(pid);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name in parentheses may hold spaces; the parent pid is the second field after it.
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  return pids;
}

/** Whether a process that started this one (e.g. `flock`) holds the lock file's flock. */
export function lockHeldByAncestor(file = E2E_LOCK): boolean {
  if (!existsSync(file) || !existsSync("/proc/locks")) return false;
  const inode = statSync(file).ino;
  const mine = ancestors();
  return readFileSync("/proc/locks", "utf8")
    .split("\n")
    .filter((line) => !line.includes("->"))
    .map((line) => line.trim().split(/\s+/))
    .some(
      ([, kind, , , pid, device]) =>
        kind === "FLOCK" && Number(device?.split(":")[2]) === inode && mine.has(Number(pid)),
    );
}

/** Re-runs this program under `flock` (waiting for any e2e run to finish) unless an ancestor holds the lock. */
export function holdE2eLockOrReexec(): void {
  if (lockHeldByAncestor()) return;
  closeSync(openSync(E2E_LOCK, "a"));
  console.log(`Waiting for ${E2E_LOCK} (one end-to-end or load run at a time)…`);
  const result = spawnSync("flock", [E2E_LOCK, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(result.status ?? 1);
}
