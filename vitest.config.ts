import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real servers, real databases: give them time, and isolate files in processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    include: ['server/**/*.test.ts', 'protocol/**/*.test.ts', 'widget/**/*.test.{ts,tsx}', 'console/**/*.test.{ts,tsx}', 'examples/**/*.test.ts'],
    environment: 'node',
    // The second one ends each run with what was skipped and why (see server/test/support/needs.ts).
    reporters: ['default', './server/test/support/needs-reporter.ts'],
  },
});
