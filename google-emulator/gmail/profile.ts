import type { EmulatorContext } from "../context";
import { json, type EmulatorRequest, type Reply } from "../http";
import { PROFILE_SCOPES } from "../oauth2/scopes";
import { authorizeCall, spendUnits } from "./access";
import { userRateLimitExceeded } from "./errors";

export function handleProfile(ctx: EmulatorContext, req: EmulatorRequest, userId: string): Reply {
  const auth = authorizeCall(ctx, req, userId, PROFILE_SCOPES, "GetProfile");
  if (!auth.ok) return auth.reply;
  if (!spendUnits(ctx, auth.user, ctx.state.config.profileUnitCost))
    return userRateLimitExceeded(ctx.state.config.unitQuotaStatus, "GetProfile");
  const mine = ctx.state.messages.filter((m) => m.userSub === auth.user.sub);
  return json(200, {
    emailAddress: auth.user.email,
    messagesTotal: mine.length,
    threadsTotal: new Set(mine.map((m) => m.threadId)).size,
    historyId: String(ctx.state.historyId),
  });
}
