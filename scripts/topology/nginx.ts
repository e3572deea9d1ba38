import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * nginx's configuration for the topology: deploy/nginx.conf itself (what compose mounts as the one
 * site), with only its listen address and its upstream servers' addresses replaced, inside the
 * main-context lines a site file leaves to the image, with every path in `dir` so nginx runs unprivileged-style.
 */

export const NGINX_BINARY = "/usr/sbin/nginx";

/** Debian's nginx package; throws with the fix when it is missing. */
export function requireNginx(): void {
  if (!existsSync(NGINX_BINARY)) throw new Error(`nginx is not installed (${NGINX_BINARY}): apt-get install nginx`);
}

export function nginxSite(shipped: string, listen: string, servers: string[]): string {
  const upstreams = [...shipped.matchAll(/^(\s*server\s+)(app\d+:\d+)/gm)];
  if (upstreams.length !== servers.length)
    throw new Error(
      `deploy/nginx.conf names ${upstreams.length} upstream servers; the topology runs ${servers.length}`,
    );
  let index = 0;
  const site = shipped
    .replace(/^(\s*server\s+)(app\d+:\d+)/gm, (_, lead: string) => `${lead}${servers[index++]}`)
    .replace(/^(\s*listen\s+)80;/m, (_, lead: string) => `${lead}${listen};`);
  if (!site.includes(`listen ${listen};`)) throw new Error("deploy/nginx.conf no longer listens on port 80");
  return site;
}

/** Writes nginx.conf into `dir` and answers its path; nginx's pid and `daemon off` go on its command line. */
export function writeNginxConfig(dir: string, listen: string, servers: string[], root = process.cwd()): string {
  const site = nginxSite(readFileSync(path.join(root, "deploy", "nginx.conf"), "utf8"), listen, servers);
  // As root, nginx's workers run as nobody: they must reach the temporary files' folders it creates here.
  chmodSync(dir, 0o755);
  const file = path.join(dir, "nginx.conf");
  writeFileSync(
    file,
    [
      "worker_processes 1;",
      `error_log ${path.join(dir, "error.log")} warn;`,
      "events { worker_connections 1024; }",
      "http {",
      `  access_log ${path.join(dir, "access.log")};`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
        (kind) => `  ${kind}_temp_path ${path.join(dir, `${kind}-temp`)};`,
      ),
      site,
      "}",
      "",
    ].join("\n"),
  );
  return file;
}
