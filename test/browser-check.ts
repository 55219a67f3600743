// Vitest global setup: says loudly, outside any test's captured output, whether browser tests and
// the binary's test run.
import { chromiumAvailable, CHROMIUM_PATH } from './helpers/browser.js'
import { binaryBuildable } from './helpers/binary.js'

function loudly(message: string) {
  process.stderr.write(`\n${'!'.repeat(message.length)}\n${message}\n${'!'.repeat(message.length)}\n\n`)
}

export default function browserCheck() {
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
