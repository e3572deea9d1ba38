import { getEnv, type Env } from "../platform/env";
import { sendRawMessage, threadMetadata, type SentMessage, type ThreadMessageHeaders } from "./gmail";
import { refreshGoogleToken, revokeGoogleToken, type RefreshedTokens, type RevokeResult } from "./oauth";

/** The calls to Google that domain code makes, as one seam that tests can replace. */
export type GoogleGateway = {
  revoke(token: string): Promise<RevokeResult>;
  refresh(refreshToken: string): Promise<RefreshedTokens>;
  send(accessToken: string, message: { raw: Buffer; threadId?: string }): Promise<SentMessage>;
  threadMetadata(accessToken: string, threadId: string): Promise<ThreadMessageHeaders[]>;
};

export function googleGateway(google: Env["google"] = getEnv().google): GoogleGateway {
  return {
    revoke: (token) => revokeGoogleToken(token, google),
    refresh: (token) => refreshGoogleToken(token, google),
    send: (accessToken, message) => sendRawMessage(accessToken, message, google),
    threadMetadata: (accessToken, threadId) => threadMetadata(accessToken, threadId, google),
  };
}
