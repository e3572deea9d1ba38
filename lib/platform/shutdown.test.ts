import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it, vi } from "vitest";
import { finishBeforeExit } from "./shutdown";

/** A stand-in for process: signals are events, exit is recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exit = vi.fn();
  return Object.assign(emitter, { exit }) as unknown as Parameters<typeof finishBeforeExit>[2] &
    EventEmitter & { exit: typeof exit };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

afterEach(() => vi.restoreAllMocks());

it("hands SIGTERM to the listener that held it (Next.js's) only once the work in flight has finished", async () => {
  const target = fakeProcess();
  const nextJs = vi.fn();
  target.on("SIGTERM", nextJs);
  const round = deferred();
  const finish = vi.fn(() => round.promise);
  finishBeforeExit(finish, 5_000, target);

  target.emit("SIGTERM", "SIGTERM");
  expect(finish).toHaveBeenCalledTimes(1);
  await sleep(20);
  expect(nextJs).not.toHaveBeenCalled();

  round.resolve();
  await sleep(0);
  expect(nextJs).toHaveBeenCalledWith("SIGTERM");
  expect(target.exit).not.toHaveBeenCalled();
  expect(target.listeners("SIGTERM")).toEqual([nextJs]);
});

it("exits with 0 after finishing when nothing else listens, as in a worker", async () => {
  const target = fakeProcess();
  finishBeforeExit(async () => undefined, 5_000, target);
  target.emit("SIGINT", "SIGINT");
  await sleep(0);
  expect(target.exit).toHaveBeenCalledWith(0);
});

it("stops waiting after the grace and says what is left to the outbox's leases", async () => {
  const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  const target = fakeProcess();
  finishBeforeExit(() => new Promise<void>(() => undefined), 20, target);
  target.emit("SIGTERM", "SIGTERM");
  await sleep(5);
  expect(target.exit).not.toHaveBeenCalled();
  await sleep(40);
  expect(target.exit).toHaveBeenCalledWith(0);
  expect(errors).toHaveBeenCalledWith(expect.stringMatching(/after 20 ms is left to the outbox's leases/));
});

it("a second signal does not wait, and the work is finished once", async () => {
  const target = fakeProcess();
  const finish = vi.fn(() => new Promise<void>(() => undefined));
  finishBeforeExit(finish, 5_000, target);
  target.emit("SIGTERM", "SIGTERM");
  target.emit("SIGINT", "SIGINT");
  expect(finish).toHaveBeenCalledTimes(1);
  expect(target.exit).toHaveBeenCalledWith(0);
});

it("a failure while finishing is logged and the signal still goes on", async () => {
  const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  const target = fakeProcess();
  finishBeforeExit(() => Promise.reject(new Error("db gone")), 5_000, target);
  target.emit("SIGTERM", "SIGTERM");
  await sleep(0);
  expect(target.exit).toHaveBeenCalledWith(0);
  expect(errors).toHaveBeenCalledWith(
    "[evergreen] shutdown: finishing the work in flight failed",
    expect.objectContaining({ message: "db gone" }),
  );
});
