import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/**/*.test.ts",
      "src/**/*.test.ts",
      "adapters/**/*.test.ts",
      "commands/**/*.test.ts",
      "worker/**/*.test.ts",
    ],
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more forks only contend for CPU with the redis-server and sandbox they start.
    maxWorkers: 2,
  },
});
