import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          // after each file: remove the stores it made (and what runs from them)
          setupFiles: ['test/harness/setup-file.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Integration tests share one registry and one test user; run files one at a time so
          // their containers and storage do not race the 2-core machine into timeouts.
          fileParallelism: false,
        },
      },
    ],
  },
});
