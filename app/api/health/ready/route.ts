import { healthResponse, readiness } from "@/lib/platform/health";

// The database answers and holds every committed migration: when a load balancer may send traffic here.
export const dynamic = "force-dynamic";

export async function GET() {
  return healthResponse(await readiness());
}
