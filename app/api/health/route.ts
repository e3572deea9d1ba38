import { getDb } from "@/lib/platform/db";

// Liveness plus a database round trip: what a load balancer or the e2e runner waits for.
export async function GET() {
  await getDb().$queryRawUnsafe("SELECT 1");
  return Response.json({ ok: true });
}

export const dynamic = "force-dynamic";
