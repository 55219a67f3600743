import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'
import { SQLITE_ONLY } from './test/sqlite-only.js'

// TEST_ON_POSTGRES=1 (with TEST_DATABASE_URL): every test app on a fresh PostgreSQL database, the
// files that run on SQLite only left out (test/sqlite-only.ts says why), browsers and the binary too.
const onPostgres = process.env.TEST_ON_POSTGRES === '1'

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: onPostgres ? ['**/node_modules/**', 'test/browser/**', 'test/binary/**', ...SQLITE_ONLY] : ['**/node_modules/**'],
    globalSetup: ['test/browser-check.ts'],
    testTimeout: 20_000,
    // The files of one worker share its loaded modules instead of importing the app again for each
    // (that was 31 of the run's 250 s). Each test still builds its own app and database; a test that
    // starts a process-wide worker on a database file stops it when it ends (see off-thread.ts).
    isolate: false,
    // One test process per core (Vitest's default leaves one core to itself: on the 2-core machine
    // that ran every file in one process, 182 s; two take 112 s, three 107 s).
    maxWorkers: availableParallelism(),
    // Password hashes at a low scrypt cost (production's full cost has its own test); servers the
    // tests start in processes of their own inherit it.
    env: { PASSWORD_COST: '10' },
    hookTimeout: 60_000,
    // Quiet by default; a failing test prints its own assertion.
    silent: 'passed-only',
    // npm run coverage: line and branch figures of src/ and views/ (V8's own counters).
    coverage: {
      provider: 'v8',
      include: ['src/**/*.{ts,tsx,mjs,cjs}', 'views/**/*.{ts,tsx}'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'test-output/coverage',
    },
  },
})
