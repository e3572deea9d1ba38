import { healthResponse, liveness } from "@/lib/platform/health";

// The process is up: what Docker's HEALTHCHECK and a liveness probe ask. Never touches the database.
export const dynamic = "force-dynamic";

export function GET() {
  return healthResponse(liveness());
}
