import { json } from "../http";

/** The error body of Google's OAuth endpoints (token, revoke, tokeninfo): `error` plus `error_description`. */
export const oauthError = (status: number, error: string, description: string) =>
  json(status, { error, error_description: description });
