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
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
