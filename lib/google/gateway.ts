import { getEnv, type Env } from "../platform/env";
import { sendRawMessage, type SentMessage } from "./gmail";
import { refreshGoogleToken, revokeGoogleToken, type RefreshedTokens, type RevokeResult } from "./oauth";

/** The calls to Google that domain code makes, as one seam that tests can replace. */
export type GoogleGateway = {
  revoke(token: string): Promise<RevokeResult>;
  refresh(refreshToken: string): Promise<RefreshedTokens>;
  send(accessToken: string, message: { raw: Buffer; threadId?: string }): Promise<SentMessage>;
};

export function googleGateway(google: Env["google"] = getEnv().google): GoogleGateway {
  return {
    revoke: (token) => revokeGoogleToken(token, google),
    refresh: (token) => refreshGoogleToken(token, google),
    send: (accessToken, message) => sendRawMessage(accessToken, message, google),
  };
}
