import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Samba AD DC and friends are real servers: started once for the whole run, stopped at the end.
    globalSetup: ['test/fixtures/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: integration tests share one DC and ports, so files run one at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
