import type { EmulatorConfig } from "../config";
import type { Client, User } from "../state";
import type { ClientInput, GrantView, MessageView, TokenList, UserInput } from "./api";
import type { Fault } from "./faults";

export interface ControlRequest {
  /** Defaults to POST with a body, GET without. */
  method?: string;
  body?: unknown;
}

export type FaultInput = Pick<Fault, "endpoint"> & Partial<Omit<Fault, "endpoint">>;

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

  /** Sent mail, oldest first, as stored (no Bcc, From rewritten). */
  async messages(): Promise<MessageView[]> {
    return (await this.call<{ messages: MessageView[] }>("/messages")).messages;
  }
}
