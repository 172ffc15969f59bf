import { defineConfig } from 'vitest/config';

// Tests that build network namespaces or run the whole system (the lab, end-to-end, browser and
// collector-failover suites, and the opt-in image build) run one file at a time after everything
// else: they own real processes and measure real delays, which a busy 2-core machine would distort.
const LAB = [
  'test/e2e/**/*.test.ts',
  'test/lab/**/*.lab.test.ts',
  'test/lab/lab.test.ts',
  'test/dashboard/**/*.browser.test.ts',
  'test/image/**/*.test.ts',
  'test/ha/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CI also writes a JSON report, from which .ci/run prints an 'N passed, N failed' line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.tmp/vitest.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{shared,probe,collector,cli}/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...LAB],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          include: LAB,
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          testTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
