import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    // Tests assert on memory and timing of real processes; on 2 cores, files running
    // side by side would disturb each other's measurements.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "./tests/support/ci-reporter.ts"],
  },
});
