import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { DisabledAccount, ServiceAccount, Stream } from "./risc/risc-state";
import type { AccessToken, AuthCode, Client, EmulatorState, Grant, RefreshToken, SentMessage, User } from "./state";

interface Snapshot {
  version: 1;
  signingKeyPem: string;
  clockOffsetMs: number;
  historyId: number;
  users: User[];
  clients: Client[];
  grants: Grant[];
  codes: AuthCode[];
  accessTokens: AccessToken[];
  refreshTokens: RefreshToken[];
  messages: SentMessage[];
  sessions: [string, string][];
  /** Absent from files written before security events existed. */
  risc?: { serviceAccounts: ServiceAccount[]; streams: Stream[]; disabledUsers: [string, DisabledAccount][] };
}

export function readSnapshot(file: string): Snapshot | undefined {
  if (!existsSync(file)) return undefined;
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  if (snapshot.version !== 1) throw new Error(`${file}: unsupported state version ${String(snapshot.version)}`);
  return snapshot;
}

export function restoreSnapshot(state: EmulatorState, snapshot: Snapshot): void {
  state.clock.offsetMs = snapshot.clockOffsetMs;
  state.historyId = snapshot.historyId;
  for (const user of snapshot.users) state.addUser(user);
  for (const client of snapshot.clients) state.addClient(client);
  for (const grant of snapshot.grants) state.saveGrant(grant);
  for (const code of snapshot.codes) state.codes.set(code.code, code);
  for (const token of snapshot.accessTokens) state.accessTokens.set(token.token, token);
  for (const token of snapshot.refreshTokens) state.refreshTokens.set(token.token, token);
  state.messages = snapshot.messages;
  state.sessions = new Map(snapshot.sessions);
  for (const account of snapshot.risc?.serviceAccounts ?? []) state.risc.addServiceAccount(account);
  for (const stream of snapshot.risc?.streams ?? []) state.risc.streams.set(stream.projectId, stream);
  state.risc.disabledUsers = new Map(snapshot.risc?.disabledUsers ?? []);
}

function takeSnapshot(state: EmulatorState, signingKeyPem: string): Snapshot {
  return {
    version: 1,
    signingKeyPem,
    clockOffsetMs: state.clock.offsetMs,
    historyId: state.historyId,
    users: [...state.users.values()],
    clients: [...state.clients.values()],
    grants: [...state.grants.values()],
    codes: [...state.codes.values()],
    accessTokens: [...state.accessTokens.values()],
    refreshTokens: [...state.refreshTokens.values()],
    messages: state.messages,
    sessions: [...state.sessions.entries()],
    risc: {
      serviceAccounts: [...state.risc.serviceAccounts.values()],
      streams: [...state.risc.streams.values()],
      disabledUsers: [...state.risc.disabledUsers.entries()],
    },
  };
}

/** Debounced, atomic (write-then-rename) saves so a crash never leaves half a file. */
export class StateFileWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly state: EmulatorState,
    private readonly signingKeyPem: string,
    private readonly debounceMs = 250,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(takeSnapshot(this.state, this.signingKeyPem)));
    renameSync(temporary, this.file);
  }
}
