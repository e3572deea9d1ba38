import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createContext, runInContext } from "node:vm";
import { gzipSync } from "node:zlib";

/**
 * First Load JS per route of the production build: what a browser downloads to show a route on its
 * first visit, gzipped, beside the goal. Reads `.next`; builds it first when there is no build.
 */

export const FIRST_LOAD_GOAL_KB = 180;
const BUILD_DIR = ".next";
// Playwright's web server builds into the same .next; one build or server at a time on a shared machine.
const BUILD_LOCK = path.join(tmpdir(), "evergreen-e2e.lock");

export type FirstLoadRow = {
  route: string;
  /** JavaScript files the first visit loads, shared ones included. */
  files: number;
  /** Their gzipped sizes summed, in kB (1,000 bytes). */
  kb: number;
  /** The part only some routes load (the rest is the shared runtime). */
  routeKb: number;
};

export type FirstLoadReport = {
  buildId: string;
  builtAt: string;
  goalKb: number;
  /** The runtime every route loads (Next's rootMainFiles). */
  sharedKb: number;
  method: string;
  rows: FirstLoadRow[];
};

const METHOD =
  "rootMainFiles of build-manifest.json (the runtime every page loads) plus every entryJSFiles chunk of the route's " +
  "segments (root and group layouts, error and not-found boundaries, page) in its page_client-reference-manifest.js, " +
  "each file once, gzipped by zlib at level 9; nomodule polyfills, CSS and chunks loaded later are left out.";

/**
 * Runs `fn` holding the lock Playwright's web server builds under, so no build replaces .next while it
 * is read; where flock(1) is missing (not Linux), without a lock.
 */
async function withBuildLock<T>(log: (line: string) => void, fn: () => T): Promise<T> {
  if (spawnSync("flock", ["--version"], { stdio: "ignore" }).status !== 0) return fn();
  const holder = spawn("flock", [BUILD_LOCK, "sh", "-c", "echo locked; read _"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting = setTimeout(() => log(`  waiting for ${BUILD_LOCK} (an end-to-end run is using .next)`), 2_000);
  await once(holder.stdout, "data");
  clearTimeout(waiting);
  try {
    return fn();
  } finally {
    holder.stdin.end();
    await once(holder, "exit");
  }
}

/** First Load JS of the existing build, or of a new one (`npm run build`) when there is none. */
export async function benchFirstLoadJs(log: (line: string) => void): Promise<FirstLoadReport> {
  return withBuildLock(log, () => {
    if (!existsSync(path.join(BUILD_DIR, "BUILD_ID"))) {
      log(`  no production build in ${BUILD_DIR}: running npm run build`);
      const result = spawnSync("npm", ["run", "build"], { stdio: ["ignore", "inherit", "inherit"] });
      if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
    }
    return measureFirstLoadJs();
  });
}

function rscManifest(file: string, page: string): { entryJSFiles?: Record<string, string[]> } {
  const context = createContext({});
  runInContext(readFileSync(file, "utf8"), context);
  const manifests = (context as { __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> })
    .__RSC_MANIFEST;
  const manifest = manifests?.[page];
  if (!manifest) throw new Error(`${file} has no client reference manifest for ${page}`);
  return manifest;
}

export function measureFirstLoadJs(dir = BUILD_DIR): FirstLoadReport {
  const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(dir, file), "utf8")) as T;
  const { rootMainFiles } = read<{ rootMainFiles: string[] }>("build-manifest.json");
  const routes = read<Record<string, string>>("app-path-routes-manifest.json");
  const sizes = new Map<string, number>();
  const gzipped = (file: string) => {
    if (!sizes.has(file)) sizes.set(file, gzipSync(readFileSync(path.join(dir, file)), { level: 9 }).length);
    return sizes.get(file)!;
  };
  const kb = (files: Iterable<string>) =>
    Math.round([...files].reduce((sum, file) => sum + gzipped(file), 0) / 100) / 10;

  const rows: FirstLoadRow[] = [];
  for (const [page, route] of Object.entries(routes)) {
    // Route handlers send no JavaScript; Next's own global-error page is a fallback, never visited.
    if (!page.endsWith("/page") || page === "/_global-error/page") continue;
    const manifest = rscManifest(path.join(dir, "server", "app", `${page}_client-reference-manifest.js`), page);
    const routeFiles = new Set(
      Object.values(manifest.entryJSFiles ?? {})
        .flat()
        .filter((file) => file.endsWith(".js") && !rootMainFiles.includes(file)),
    );
    rows.push({
      route,
      files: rootMainFiles.length + routeFiles.size,
      kb: kb([...rootMainFiles, ...routeFiles]),
      routeKb: kb(routeFiles),
    });
  }
  rows.sort((a, b) => a.route.localeCompare(b.route));
  return {
    buildId: readFileSync(path.join(dir, "BUILD_ID"), "utf8").trim(),
    builtAt: statSync(path.join(dir, "BUILD_ID")).mtime.toISOString(),
    goalKb: FIRST_LOAD_GOAL_KB,
    sharedKb: kb(rootMainFiles),
    method: METHOD,
    rows,
  };
}

export function formatFirstLoadTable(report: FirstLoadReport): string {
  const width = Math.max(...report.rows.map((row) => row.route.length), 5);
  const pad = (value: string | number, cells: number) => String(value).padStart(cells);
  return [
    `${"route".padEnd(width)}  files  route kB  first load kB  goal ≤ ${report.goalKb} kB`,
    ...report.rows.map(
      (row) =>
        `${row.route.padEnd(width)}  ${pad(row.files, 5)}  ${pad(row.routeKb.toFixed(1), 8)}  ${pad(row.kb.toFixed(1), 13)}  ${row.kb <= report.goalKb ? "met" : "MISSED"}`,
    ),
    `${"(shared by all)".padEnd(width)}  ${pad("", 5)}  ${pad("", 8)}  ${pad(report.sharedKb.toFixed(1), 13)}`,
  ].join("\n");
}
