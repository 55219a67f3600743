// Vitest global setup: says loudly, outside any test's captured output, whether browser tests, the
// binary's test and the PostgreSQL tests run.
import { chromiumAvailable, CHROMIUM_PATH } from './helpers/browser.js'
import { binaryBuildable } from './helpers/binary.js'
import { postgresAvailable } from './helpers/postgres.js'

function loudly(message: string) {
  process.stderr.write(`\n${'!'.repeat(message.length)}\n${message}\n${'!'.repeat(message.length)}\n\n`)
}

export default function browserCheck() {
  if (!postgresAvailable) {
    const message = 'TEST_DATABASE_URL is not set: THE POSTGRESQL TESTS ARE SKIPPED (eval "$(bash scripts/postgres-test-cluster.sh start)" starts a server)'
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`${message}; REQUIRE_POSTGRES=1 makes this a failure`)
    loudly(message)
  }
  if (!binaryBuildable) {
    const message = `Node ${process.version} cannot build the one-file binary here (needs node:sea with assets, postject, Linux): THE BINARY TEST IS SKIPPED`
    if (process.env.REQUIRE_BINARY === '1') throw new Error(`${message}; REQUIRE_BINARY=1 makes this a failure`)
    loudly(message)
  }
  if (chromiumAvailable) return
  const message = `Chromium not found at ${CHROMIUM_PATH}: BROWSER TESTS ARE SKIPPED (apt-get install -y chromium)`
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`${message}; REQUIRE_BROWSER=1 makes this a failure`)
  loudly(message)
}
