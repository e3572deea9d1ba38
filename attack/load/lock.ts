import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";

/**
 * The load test shares `.next` and the machine's cores with the end-to-end runs, which all hold this
 * lock while they run; so does the load test, taken by its caller
 * (`flock /tmp/evergreen-e2e.lock tsx attack/load/load-test.ts`) or else by itself.
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

/**
 * Holds the lock until this process ends, unless a process that started this one holds it already. A
 * child `flock` takes it and keeps it while its `cat` reads our stdin: when this process ends, however
 * it ends, the pipe closes and the lock is released.
 */
export async function holdE2eLock(): Promise<void> {
  if (lockHeldByAncestor()) return;
  console.log(`Taking ${E2E_LOCK} (one end-to-end or load run at a time; waits for a running one)…`);
  const holder = spawn("flock", [E2E_LOCK, "sh", "-c", "echo held; exec cat"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once("data", () => resolve());
    holder.once("error", reject);
    holder.once("exit", (code) => reject(new Error(`flock ${E2E_LOCK} ended (exit ${code}) before taking the lock`)));
  });
}
