import type { EmulatorContext } from "../context";
import { json, type Reply } from "../http";
import { jwks, pemCertificates } from "./signing-key";

const KEY_CACHE = { "Cache-Control": "public, max-age=21600, must-revalidate, no-transform" };

export function discoveryDocument(ctx: EmulatorContext): Reply {
  const base = ctx.baseUrl;
  return json(
    200,
    {
      issuer: base,
      authorization_endpoint: `${base}/o/oauth2/v2/auth`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/v1/userinfo`,
      revocation_endpoint: `${base}/revoke`,
      jwks_uri: `${base}/oauth2/v3/certs`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "email", "profile"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      claims_supported: [
        "aud",
        "email",
        "email_verified",
        "exp",
        "family_name",
        "given_name",
        "iat",
        "iss",
        "name",
        "picture",
        "sub",
      ],
      code_challenge_methods_supported: ["plain", "S256"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      ...(ctx.state.config.issParameter ? { authorization_response_iss_parameter_supported: true } : {}),
    },
    { "Cache-Control": "public, max-age=3600" },
  );
}

export function jwksDocument(ctx: EmulatorContext): Reply {
  return json(200, jwks(ctx.key), KEY_CACHE);
}

export function pemCertsDocument(ctx: EmulatorContext): Reply {
  return json(200, pemCertificates(ctx.key), KEY_CACHE);
}
