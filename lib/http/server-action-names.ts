import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Which server action a request calls, by the name it is exported under. A fetch action names itself
 * only by an opaque id (the Next-Action header); Next.js writes the id → {filename, exportedName} map
 * into its build output, which the request boundary reads to count sends and sign-ins.
 */

type Manifest = { node?: Record<string, { exportedName?: string }> };

// `next build` output, then `next dev`'s (Next 16 keeps the dev build in .next/dev).
const MANIFESTS = [".next/server/server-reference-manifest.json", ".next/dev/server/server-reference-manifest.json"];

let names: Map<string, string> | undefined;
let readAt = 0;

function readNames(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of MANIFESTS) {
    try {
      // Not part of the traced output: the manifest is read where the build was made, at run time.
      const manifest = JSON.parse(
        readFileSync(path.join(/*turbopackIgnore: true*/ process.cwd(), file), "utf8"),
      ) as Manifest;
      for (const [id, entry] of Object.entries(manifest.node ?? {}))
        if (entry.exportedName) found.set(id, entry.exportedName);
    } catch {
      // Not built this way.
    }
  }
  return found;
}

/** The exported name of the action with this id, e.g. "sendMessageAction"; undefined if unknown. */
export function serverActionName(actionId: string | null): string | undefined {
  if (!actionId) return undefined;
  // The development server adds actions as it compiles pages: an unseen id reads the map again, at
  // most once a second, so made-up ids cannot make every request read a file.
  if (!names || (!names.has(actionId) && Date.now() - readAt > 1000)) {
    names = readNames();
    readAt = Date.now();
  }
  return names.get(actionId);
}
