import { defineConfig } from 'vitest/config';

// One runner for every workspace. Integration tests start real servers, databases and
// processes, so files run in parallel forks (2 cores here) but tests inside a file in order.
export default defineConfig({
  test: {
    include: [
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A new events listing is taken 2 s behind now (see the catalog's settleMs), and a
    // loaded 2-core machine is slow to settle anything; polls wait up to 5 s.
    expect: { poll: { timeout: 5_000 } },
  },
});
