import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

// The one-file binary needs Node's single executable applications with assets (Node 20.12 on) and
// postject; without them its test is skipped, loudly (REQUIRE_BINARY=1 in CI makes that a failure).
const require = createRequire(import.meta.url)

function seaWithAssets(): boolean {
  try {
    return typeof (require('node:sea') as { getAsset?: unknown }).getAsset === 'function'
  } catch {
    return false
  }
}

export const binaryBuildable = seaWithAssets() && existsSync('node_modules/postject/dist/cli.js') && process.platform === 'linux'
