// Copies htmx and Pico CSS from their npm packages into public/vendor so the app works offline.
// Runs after every npm install (postinstall) and by `npm run vendor`.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const vendor = join(root, 'public', 'vendor')
mkdirSync(vendor, { recursive: true })

const htmxDir = dirname(require.resolve('htmx.org/package.json'))
const picoDir = dirname(require.resolve('@picocss/pico/package.json'))
const files = [
  [join(htmxDir, 'dist', 'htmx.min.js'), 'htmx.min.js'],
  [join(picoDir, 'css', 'pico.min.css'), 'pico.min.css'],
]
for (const [from, to] of files) copyFileSync(from, join(vendor, to))
const htmxVersion = JSON.parse(readFileSync(join(htmxDir, 'package.json'), 'utf8')).version
if (!htmxVersion.startsWith('4.')) {
  console.error(`vendor-assets: expected htmx 4.x, found ${htmxVersion}`)
  process.exit(1)
}
