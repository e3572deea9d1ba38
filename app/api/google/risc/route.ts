import { answerSecurityEventRequest } from "@/lib/connection/risc-receiver";

// Google's security events (Cross-Account Protection), pushed as signed JWTs (lib/connection/risc-receiver.ts).
// No session, cookie or Origin: proxy.ts lets exactly this POST through (lib/http/request-guard.ts, originExempt).
export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  return answerSecurityEventRequest(request);
}
