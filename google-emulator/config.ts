export type PromptNoneErrorStyle = "interaction_required" | "oidc";

/** Where Google leaves RISC open, the emulator offers each reading (README, "Security events"). */
export const RISC_CHOICES = {
  riscSetTyp: ["none", "JWT", "secevent+jwt"],
  riscTokenIdentifierAlg: ["hash_base64_sha512_sha512", "prefix"],
  riscOnRevokeEndpoint: ["none", "tokens-revoked"],
  riscPasswordChangeEvents: ["sessions-and-token-revoked", "tokens-revoked", "none"],
} as const;
type Choice<K extends keyof typeof RISC_CHOICES> = (typeof RISC_CHOICES)[K][number];

export interface EmulatorConfig {
  accessTokenTtlSeconds: number;
  authCodeTtlSeconds: number;
  idTokenTtlSeconds: number;
  /** When true, code exchanges never return a refresh_token (simulates Google handing back none). */
  withholdRefreshTokens: boolean;
  /** RFC 9207 `iss` on authorization redirects, advertised in discovery. */
  issParameter: boolean;
  /** Non-sign-in scopes needed before each gets its own checkbox (Google: 2; Evergreen wants 1). */
  granularConsentMinScopes: number;
  /** prompt=none failures: Google's observed `interaction_required` or OIDC's login_/consent_required. */
  promptNoneError: PromptNoneErrorStyle;
  /** Legacy behaviour: approval_prompt=force forces the consent screen like prompt=consent. */
  approvalPromptForceShowsConsent: boolean;
  refreshTokenLimitPerClient: number;
  testingRefreshTokenTtlSeconds: number;
  refreshTokenIdleTtlSeconds: number;
  sendUnitsPerMinute: number;
  /** How long each messages.send takes before Gmail answers (real Gmail: a few hundred ms). */
  sendLatencyMs: number;
  sendUnitCost: number;
  profileUnitCost: number;
  threadGetUnitCost: number;
  /** HTTP status for the per-user unit quota (classic docs say 403, newer captures 429). */
  unitQuotaStatus: 403 | 429;
  dailySendLimit: number;
  maxRecipientsPerMessage: number;
  jsonSendMaxBytes: number;
  uploadSendMaxBytes: number;
  /** Security events: "/" after the issuer, in the RISC discovery document and every SET's `iss`. */
  riscIssuerTrailingSlash: boolean;
  /** The SETs' `typ` header: none, `JWT` or `secevent+jwt` (Google's is undocumented). */
  riscSetTyp: Choice<"riscSetTyp">;
  riscTokenIdentifierAlg: Choice<"riscTokenIdentifierAlg">;
  /** token-revoked names the user (`sub`, `iss`) inside its token subject too. */
  riscTokenSubjectIncludesSub: boolean;
  /** http:// receivers on 127.0.0.1, localhost or [::1] are accepted (Google wants https). */
  riscAllowHttpLoopback: boolean;
  /** What the app's own POST /revoke reports: nothing, or tokens-revoked. */
  riscOnRevokeEndpoint: Choice<"riscOnRevokeEndpoint">;
  riscPasswordChangeEvents: Choice<"riscPasswordChangeEvents">;
  riscDeliveryTimeoutMs: number;
  /** Count any 2xx answer as delivered, not only 202. */
  riscAcceptAny2xx: boolean;
  /** Attempts per SET, the first included. */
  riscMaxAttempts: number;
  /** Before the first retry; doubles for each next one. */
  riscRetryDelayMs: number;
}

export const DEFAULT_CONFIG: EmulatorConfig = {
  accessTokenTtlSeconds: 3599,
  authCodeTtlSeconds: 600,
  idTokenTtlSeconds: 3600,
  withholdRefreshTokens: false,
  issParameter: true,
  granularConsentMinScopes: 1,
  promptNoneError: "interaction_required",
  approvalPromptForceShowsConsent: false,
  refreshTokenLimitPerClient: 100,
  testingRefreshTokenTtlSeconds: 7 * 24 * 3600,
  refreshTokenIdleTtlSeconds: 183 * 24 * 3600,
  sendUnitsPerMinute: 15_000,
  sendLatencyMs: 0,
  sendUnitCost: 100,
  profileUnitCost: 1,
  threadGetUnitCost: 10,
  unitQuotaStatus: 403,
  dailySendLimit: 2000,
  maxRecipientsPerMessage: 100,
  jsonSendMaxBytes: 5 * 1024 * 1024,
  uploadSendMaxBytes: 36_700_160,
  riscIssuerTrailingSlash: false,
  riscSetTyp: "none",
  riscTokenIdentifierAlg: "hash_base64_sha512_sha512",
  riscTokenSubjectIncludesSub: false,
  riscAllowHttpLoopback: true,
  riscOnRevokeEndpoint: "none",
  riscPasswordChangeEvents: "sessions-and-token-revoked",
  riscDeliveryTimeoutMs: 5000,
  riscAcceptAny2xx: false,
  riscMaxAttempts: 3,
  riscRetryDelayMs: 500,
};

export function mergeConfig(base: EmulatorConfig, patch: Partial<EmulatorConfig> | undefined): EmulatorConfig {
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (!(key in DEFAULT_CONFIG)) throw new Error(`Unknown config key: ${key}`);
    if (typeof value !== typeof DEFAULT_CONFIG[key as keyof EmulatorConfig])
      throw new Error(`Config ${key} must be a ${typeof DEFAULT_CONFIG[key as keyof EmulatorConfig]}`);
    const choices: readonly unknown[] | undefined = RISC_CHOICES[key as keyof typeof RISC_CHOICES];
    if (choices && !choices.includes(value)) throw new Error(`Config ${key} must be one of ${choices.join(", ")}`);
    Object.assign(merged, { [key]: value });
  }
  return merged;
}
