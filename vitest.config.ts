import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/browser-check.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Quiet by default; a failing test prints its own assertion.
    silent: 'passed-only',
  },
})
