import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Unit and integration tests live next to the code they specify (`*.test.ts`); the attack suite in attack/.
// The PostgreSQL lane (scripts/test-pg.ts) re-runs the database-backed ones against a real server.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: [
      "lib/**/*.test.ts",
      "attack/**/*.test.ts",
      "google-emulator/**/*.test.ts",
      "scripts/**/*.test.ts",
      "prisma/**/*.test.ts",
      "test-support/**/*.test.ts",
    ],
    environment: "node",
    pool: "forks",
    // Vitest's default is one worker fewer than the cores, one on a two-core machine. Each test file
    // has a database of its own (test-support/test-database.ts), so two run at once.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
