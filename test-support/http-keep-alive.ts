import { Agent, setGlobalDispatcher } from "undici";

/**
 * How long every server the tests start keeps an idle connection (`next start --keepAliveTimeout`; the
 * local Google never closes one): two minutes, against the 1 s after which test clients drop one.
 */
export const SERVER_KEEP_ALIVE_MS = 120_000;

/**
 * Makes this process's fetch drop an idle connection after 1 s. A request sent on a connection its server
 * is closing at that very moment fails with ECONNRESET: Chromium quietly retries it, undici's fetch does
 * not. So the client must always close first, by a margin no late timer can eat: on a 2-core machine
 * running a browser, the app and 100 load-test users, timers fire seconds late, which is why the servers
 * hold idle connections for SERVER_KEEP_ALIVE_MS rather than Node's 5 s. A network error in a test is
 * then the server's failure, never this race.
 */
export function dropIdleConnectionsEarly(): void {
  setGlobalDispatcher(new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 }));
}
