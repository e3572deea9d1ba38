import { Agent, setGlobalDispatcher } from "undici";

/**
 * Makes this process's fetch drop an idle connection after 1 s, well before the app's `next start` and
 * the local Google close it (Node's 5 s keep-alive). undici keeps one for the server's hint minus 2 s,
 * but its timers tick once a second and a test process can be busy (a 2-core machine running a browser,
 * the app, 50 load-test users), so a request could go out on a connection the server was closing at that
 * very moment and fail with ECONNRESET. Chromium quietly retries such a request; undici's fetch does not.
 * With the wide margin, a network error in a test is the server's doing, never this race.
 */
export function dropIdleConnectionsEarly(): void {
  setGlobalDispatcher(new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 }));
}
