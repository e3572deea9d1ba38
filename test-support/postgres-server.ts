import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A throwaway PostgreSQL server for the PostgreSQL test lane: initdb into a temporary folder, on a
 * free loopback port, as `nobody` when we are root (PostgreSQL refuses to run as root), stopped and
 * deleted afterwards.
 */

export type TemporaryPostgres = { url: string; version: string; stop(): void };

export function findPostgresBinaries(): string | undefined {
  const candidates = ["/usr/local/bin", "/usr/bin"];
  const versioned = "/usr/lib/postgresql";
  if (existsSync(versioned)) {
    const versions = readdirSync(versioned).sort((a, b) => Number(b) - Number(a));
    candidates.unshift(...versions.map((version) => path.join(versioned, version, "bin")));
  }
  return candidates.find((dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl")));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startTemporaryPostgres(): Promise<TemporaryPostgres> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error("PostgreSQL binaries (initdb, pg_ctl) not found; install the postgresql package");
  const dir = mkdtempSync(path.join(tmpdir(), "evergreen-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, 65534, 65534);
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot
      ? [
          "su",
          ["nobody", "-s", "/bin/sh", "-c", [command, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")],
        ]
      : [command, args];
    const result = spawnSync(file as string, argv as string[], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${command} failed:\n${result.stdout}\n${result.stderr}`);
  };
  const port = await freePort();
  const data = path.join(dir, "data");
  run(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  run(path.join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "start",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
  ]);
  const stop = () => {
    try {
      run(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const version = execFileSync(path.join(bin, "postgres"), ["--version"], { encoding: "utf8" }).trim();
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, version, stop };
}
