import { Clock } from "./clock";
import { DEFAULT_CONFIG, type EmulatorConfig } from "./config";
import { FaultQueue } from "./control/faults";
import { RiscState } from "./risc/risc-state";

export interface User {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  givenName: string;
  familyName: string;
  picture: string;
}

export interface Client {
  id: string;
  secret: string;
  redirectUris: string[];
  publishingStatus: "production" | "testing";
  /** Clients sharing a projectId share grants, as client IDs of one Cloud project do. */
  projectId?: string;
  name?: string;
}

export interface Grant {
  userSub: string;
  projectId: string;
  scopes: string[];
  firstGrantedAt: number;
  lastConsentAt: number;
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  requestedScopes: string[];
  state?: string;
  nonce?: string;
  accessType: "online" | "offline";
  prompt: string[];
  loginHint?: string;
  includeGrantedScopes: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  approvalPrompt?: "force" | "auto";
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userSub: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  accessType: "online" | "offline";
  consentShown: boolean;
  createdAt: number;
  expiresAt: number;
  redeemedAt?: number;
}

export interface AccessToken {
  token: string;
  userSub: string;
  clientId: string;
  projectId: string;
  scopes: string[];
  accessType: "online" | "offline";
  issuedAt: number;
  expiresAt: number;
  refreshToken?: string;
  revokedAt?: number;
}

export type RefreshTokenEnd = "revoked" | "evicted";

export interface RefreshToken {
  token: string;
  userSub: string;
  clientId: string;
  projectId: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number;
  /** Set for Testing-status clients: seven days after consent. */
  expiresAt?: number;
  revokedAt?: number;
  revokedReason?: RefreshTokenEnd;
}

export interface SentMessage {
  id: string;
  threadId: string;
  userSub: string;
  from: string;
  envelope: { from: string; to: string[] };
  labelIds: string[];
  headers: Record<string, string>;
  messageId: string;
  subject: string;
  text: string;
  html: string | null;
  raw: string;
  /** When Gmail received it: internalDate. */
  sentAt: number;
  /** Gmail's history id for the change that added it; absent in state files written before threads.get. */
  historyId?: number;
  /** Set on messages the control API delivered into a thread (labels INBOX, UNREAD); absent on sent mail. */
  incoming?: IncomingKind;
}

export type IncomingKind = "reply" | "auto-reply" | "bounce";

export interface Interaction {
  id: string;
  request: AuthorizationRequest;
  step: "account" | "consent";
  userSub?: string;
  expiresAt: number;
}

/** Everything the emulator remembers; one instance per running emulator. */
export class EmulatorState {
  /** A clock passed in is shared with whoever moves it (scripts/soak moves the app's with it). */
  constructor(readonly clock: Clock = new Clock()) {}

  readonly faults = new FaultQueue();
  /** Service accounts, event streams, disabled accounts and SET faults (risc/). */
  readonly risc = new RiscState();
  config: EmulatorConfig = { ...DEFAULT_CONFIG };
  users = new Map<string, User>();
  clients = new Map<string, Client>();
  grants = new Map<string, Grant>();
  codes = new Map<string, AuthCode>();
  accessTokens = new Map<string, AccessToken>();
  refreshTokens = new Map<string, RefreshToken>();
  messages: SentMessage[] = [];
  interactions = new Map<string, Interaction>();
  /** Browser session id → chosen account sub, like a Google sign-in cookie. */
  sessions = new Map<string, string>();
  quotaUsage = new Map<string, { at: number; units: number }[]>();
  calls: Record<string, number> = {};
  historyId = 1000;

  clear(): void {
    this.clock.offsetMs = 0;
    this.faults.clear();
    this.risc.clear();
    for (const map of [
      this.users,
      this.clients,
      this.grants,
      this.codes,
      this.accessTokens,
      this.refreshTokens,
      this.interactions,
      this.sessions,
      this.quotaUsage,
    ])
      map.clear();
    this.messages = [];
    this.calls = {};
  }

  addUser(user: User): void {
    this.users.set(user.sub, user);
  }

  addClient(client: Client): void {
    this.clients.set(client.id, client);
  }

  findUserByEmail(email: string): User | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
  }

  projectOf(clientId: string): string {
    return this.clients.get(clientId)?.projectId ?? clientId;
  }

  grantFor(userSub: string, projectId: string): Grant | undefined {
    return this.grants.get(grantKey(userSub, projectId));
  }

  saveGrant(grant: Grant): void {
    this.grants.set(grantKey(grant.userSub, grant.projectId), grant);
  }

  deleteGrant(userSub: string, projectId: string): void {
    this.grants.delete(grantKey(userSub, projectId));
  }

  countCall(endpoint: string): void {
    this.calls[endpoint] = (this.calls[endpoint] ?? 0) + 1;
  }
}

function grantKey(userSub: string, projectId: string): string {
  return `${userSub}\u0000${projectId}`;
}
