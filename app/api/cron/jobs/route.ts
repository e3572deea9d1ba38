import { timingSafeEqual } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { runEveryJobOnce } from "@/lib/platform/background-jobs";
import { getEnv } from "@/lib/platform/env";

// Serverless hosts have no long-lived process: their scheduler calls this every minute with
// `Authorization: Bearer $CRON_SECRET` (a GET, as Vercel Cron sends). Without CRON_SECRET it does not exist.
export const dynamic = "force-dynamic";

function authorized(header: string | null, secret: string): boolean {
  const given = Buffer.from(header ?? "");
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function GET(request: NextRequest) {
  const secret = getEnv().cronSecret;
  if (!secret) return new NextResponse(null, { status: 404 });
  if (!authorized(request.headers.get("authorization"), secret)) {
    return NextResponse.json({ error: "unauthorized" }, { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  }
  return NextResponse.json({ ran: await runEveryJobOnce() });
}
