import type { EmulatorConfig } from "../config";
import type { DeliveryRow } from "../risc/delivery";
import type { DisableReason } from "../risc/events";
import type { ServiceAccount, SetFault, Stream } from "../risc/risc-state";
import type { Client, User } from "../state";
import type {
  AutoReplyInput,
  BounceInput,
  ClientInput,
  GrantView,
  MessageView,
  ReplyInput,
  TokenList,
  UserInput,
} from "./api";
import type { Fault } from "./faults";

export interface ControlRequest {
  /** Defaults to POST with a body, GET without. */
  method?: string;
  body?: unknown;
}

export type FaultInput = Pick<Fault, "endpoint"> & Partial<Omit<Fault, "endpoint">>;
export type SetFaultInput = Pick<SetFault, "kind"> & Partial<Omit<SetFault, "kind">>;
export type StreamView = Omit<Stream, "updatedAt"> & { updatedAt: string };

/** What the thread control calls answer. */
export interface AddedMessage {
  message: { id: string; threadId: string };
}

export interface RiscTriggerInput {
  email: string;
  /** A short name (`sessions-revoked`) or the full event-type URI. */
  type: string;
  reason?: DisableReason;
  state?: string;
  /** token-revoked only: the refresh token to name (it stays alive). */
  token?: string;
}

/**
 * The emulator's control API (`/__emulator/…`, see README) for tests: the emulator's own, lib's and
 * the e2e specs'. Every method is one request; a non-2xx answer throws with the emulator's message.
 */
export class EmulatorControl {
  constructor(readonly baseUrl: string) {}

  async call<T = unknown>(path: string, init: ControlRequest = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}/__emulator${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`emulator ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async reset(): Promise<void> {
    await this.call("/reset", { body: {} });
  }

  async config(): Promise<EmulatorConfig> {
    return (await this.call<{ config: EmulatorConfig }>("/config")).config;
  }

  async configure(config: Partial<EmulatorConfig>): Promise<EmulatorConfig> {
    return (await this.call<{ config: EmulatorConfig }>("/config", { body: config })).config;
  }

  /** Moves the emulator's clock (every expiry follows it) and answers its offset from real time. */
  async advanceClock(seconds: number): Promise<{ now: string; offsetSeconds: number }> {
    return this.call("/clock", { body: { advanceSeconds: seconds } });
  }

  async clock(): Promise<{ now: string; offsetSeconds: number }> {
    return this.call("/clock");
  }

  async users(): Promise<User[]> {
    return (await this.call<{ users: User[] }>("/users")).users;
  }

  /** Adds a Google account, or replaces the one with this email. */
  async addUser(user: UserInput): Promise<User> {
    return (await this.call<{ user: User }>("/users", { body: user })).user;
  }

  /** Adds an OAuth client, or replaces the one with this id. */
  async addClient(client: ClientInput): Promise<Client> {
    return (await this.call<{ client: Client }>("/clients", { body: client })).client;
  }

  /** As if the user removed the app in their Google Account: every project's grant, or only `clientId`'s. */
  async revokeAccess(email: string, clientId?: string): Promise<{ revokedProjects: string[] }> {
    return this.call(`/users/${encodeURIComponent(email)}/revoke`, { body: clientId ? { clientId } : {} });
  }

  async addFault(fault: FaultInput): Promise<Fault> {
    return (await this.call<{ fault: Fault }>("/faults", { body: fault })).fault;
  }

  async faults(): Promise<Fault[]> {
    return (await this.call<{ faults: Fault[] }>("/faults")).faults;
  }

  async clearFaults(): Promise<void> {
    await this.call("/faults", { method: "DELETE" });
  }

  async grants(): Promise<GrantView[]> {
    return (await this.call<{ grants: GrantView[] }>("/grants")).grants;
  }

  async tokens(): Promise<TokenList> {
    return this.call<TokenList>("/tokens");
  }

  async tokensOf(email: string): Promise<TokenList> {
    const all = await this.tokens();
    return {
      refreshTokens: all.refreshTokens.filter((token) => token.user === email),
      accessTokens: all.accessTokens.filter((token) => token.user === email),
    };
  }

  /** How often each endpoint was called since the last reset (`authorize`, `token`, `gmail.send`, …). */
  async calls(): Promise<Record<string, number>> {
    return (await this.call<{ calls: Record<string, number> }>("/calls")).calls;
  }

  /** The mailboxes, oldest first: sent mail as stored (no Bcc, From rewritten), and mail added to threads. */
  async messages(): Promise<MessageView[]> {
    return (await this.call<{ messages: MessageView[] }>("/messages")).messages;
  }

  /**
   * Someone answers the thread: From them, To the user, "Re: <thread subject>", In-Reply-To/References
   * the thread's last message, labels INBOX and UNREAD. Throws (404) for an unknown thread.
   */
  async addReply(threadId: string, input: ReplyInput): Promise<AddedMessage> {
    return this.call(`/threads/${encodeURIComponent(threadId)}/reply`, { body: input });
  }

  /** A reply marked automatic: `kind` picks Auto-Submitted: auto-replied (default), X-Autoreply or Precedence. */
  async addAutoReply(threadId: string, input: AutoReplyInput): Promise<AddedMessage> {
    return this.call(`/threads/${encodeURIComponent(threadId)}/auto-reply`, { body: input });
  }

  /** Gmail's mailer daemon reports the user's last sent message in the thread undeliverable. */
  async addBounce(threadId: string, input: BounceInput = {}): Promise<AddedMessage> {
    return this.call(`/threads/${encodeURIComponent(threadId)}/bounce`, { body: input });
  }

  /** Every SET delivery attempt, and every SET never sent, oldest first. */
  async riscDeliveries(): Promise<DeliveryRow[]> {
    return (await this.call<{ deliveries: DeliveryRow[] }>("/risc/deliveries")).deliveries;
  }

  /** Waits (up to 30 s) until no SET is waiting to be sent or retried; answers how many still are. */
  async riscFlush(): Promise<{ pending: number }> {
    return this.call("/risc/flush", { body: {} });
  }

  /** Spoils the next `count` SETs: duplicate, reorder, delay, drop, bad-signature, unknown-kid, wrong-aud, … */
  async riscFault(fault: SetFaultInput): Promise<SetFault> {
    return (await this.call<{ fault: SetFault }>("/risc/faults", { body: fault })).fault;
  }

  async riscClearFaults(): Promise<void> {
    await this.call("/risc/faults", { method: "DELETE" });
  }

  /** Emits a raw event for the user to every stream that would hear of them; answers how many SETs. */
  async riscTrigger(input: RiscTriggerInput): Promise<{ type: string; sets: number }> {
    return this.call("/risc/trigger", { body: input });
  }

  async riscStreams(): Promise<StreamView[]> {
    return (await this.call<{ streams: StreamView[] }>("/risc/streams")).streams;
  }

  async addServiceAccount(account: ServiceAccount): Promise<ServiceAccount> {
    return (await this.call<{ serviceAccount: ServiceAccount }>("/service-accounts", { body: account })).serviceAccount;
  }

  /** Ends one refresh token (and its access tokens), not the grant: token-revoked. */
  async revokeRefreshToken(token: string): Promise<void> {
    await this.call("/tokens/revoke", { body: { token } });
  }

  /** Gmail-scoped tokens die, the grant stays; events per riscPasswordChangeEvents. */
  async passwordChange(email: string): Promise<{ revokedRefreshTokens: number }> {
    return this.call(`/users/${encodeURIComponent(email)}/password-change`, { body: {} });
  }

  /** Refreshes answer invalid_grant and Gmail 401 until enableAccount; account-disabled goes out. */
  async disableAccount(email: string, reason?: DisableReason): Promise<void> {
    await this.call(`/users/${encodeURIComponent(email)}/disable`, { body: reason ? { reason } : {} });
  }

  async enableAccount(email: string): Promise<void> {
    await this.call(`/users/${encodeURIComponent(email)}/enable`, { body: {} });
  }
}
