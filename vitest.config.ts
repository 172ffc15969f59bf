import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,probe,collector,cli}/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Lab tests own network namespaces and real processes; they must not run concurrently with each other.
    fileParallelism: true,
    pool: 'forks',
  },
});
