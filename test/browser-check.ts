// Vitest global setup: says loudly, outside any test's captured output, whether browser tests run.
import { chromiumAvailable, CHROMIUM_PATH } from './helpers/browser.js'

export default function browserCheck() {
  if (chromiumAvailable) return
  const message = `Chromium not found at ${CHROMIUM_PATH}: BROWSER TESTS ARE SKIPPED (apt-get install -y chromium)`
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`${message}; REQUIRE_BROWSER=1 makes this a failure`)
  process.stderr.write(`\n${'!'.repeat(message.length)}\n${message}\n${'!'.repeat(message.length)}\n\n`)
}
