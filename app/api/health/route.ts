import { healthResponse, readiness } from "@/lib/platform/health";

// The first health endpoint, kept as an alias of /api/health/ready: the e2e runner and older probes wait on it.
export const dynamic = "force-dynamic";

export async function GET() {
  return healthResponse(await readiness());
}
