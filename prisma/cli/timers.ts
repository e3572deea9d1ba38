// The Prisma CLI's WebAssembly schema engine leaves 10 s and 60 s timers armed after its work is
// done, so `migrate deploy` idles for up to a minute before exiting. Imported only by the Prisma
// configs, this unrefs long timers so the CLI exits as soon as it is finished.
const LONG_TIMER_MS = 5_000;
const originalSetTimeout = globalThis.setTimeout;

globalThis.setTimeout = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(handler, ms, ...args);
  if ((ms ?? 0) >= LONG_TIMER_MS) timer.unref?.();
  return timer;
}) as typeof globalThis.setTimeout;
