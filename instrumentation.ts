// Runs once when a Next.js server starts. NEXT_RUNTIME is set by Next itself to pick the runtime, not
// configuration (see lib/platform/env.ts); testing it inline lets the bundler drop the Node-only start-up code
// from the Edge build, which would otherwise warn about process.exit on every dev start.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("./lib/platform/server-start");
    await startServer();
  }
}
