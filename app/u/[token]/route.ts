import { answerUnsubscribeRequest } from "@/lib/outreach/unsubscribe-page";

// A one-click unsubscribe link (lib/outreach/unsubscribe.ts), outside the signed-in group: the
// recipient has no session here, and the mailbox provider's POST carries no cookie or Origin
// (proxy.ts lets exactly that POST through; lib/http/request-guard.ts, originExempt).
export const dynamic = "force-dynamic";

type Context = { params: Promise<{ token: string }> };

export async function GET(request: Request, { params }: Context) {
  return answerUnsubscribeRequest(request, (await params).token);
}

export async function POST(request: Request, { params }: Context) {
  return answerUnsubscribeRequest(request, (await params).token);
}
