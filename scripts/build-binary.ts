// npm run build:binary: dist/clockbridge, one executable holding Node, the app and everything it
// reads at run time, for the platform this runs on (Node's single executable applications).
//   1. esbuild bundles the command line (src/cli/clockbridge.ts) into the one CommonJS script SEA
//      runs, and each worker thread into its own script;
//   2. node --experimental-sea-config writes the blob: that script, and as assets public/, the demo
//      data, the qbXML order, the worker scripts, better-sqlite3's addon and their list;
//   3. postject injects the blob into a copy of this node executable; a SHA-256 file goes beside it.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type BuildOptions } from 'esbuild'
import { assetsUnder } from '../src/runtime/assets.js'
import { ADDON_ASSET } from '../src/runtime/native-sqlite.js'
import { WORKERS, workerAsset, workerSource, type WorkerName } from '../src/runtime/workers.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'dist')
const WORK = join(DIST, 'build')
const EXECUTABLE = join(DIST, process.platform === 'win32' ? 'clockbridge.exe' : 'clockbridge')
const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'

const log = (line: string) => process.stdout.write(`${line}\n`)

// import.meta.url has no meaning in a CommonJS bundle; the source-tree paths it builds are never
// used in the binary (runtime/assets.ts), so it only has to be a valid URL.
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "var importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
}

async function bundle(): Promise<Record<string, string>> {
  await build({ ...common, entryPoints: [join(ROOT, 'src/cli/clockbridge.ts')], outfile: join(WORK, 'clockbridge.cjs') })
  const assets: Record<string, string> = {}
  for (const name of Object.keys(WORKERS) as WorkerName[]) {
    const out = join(WORK, workerAsset(name))
    await build({ ...common, entryPoints: [workerSource(name)], outfile: out })
    assets[workerAsset(name)] = out
  }
  return assets
}

function runtimeFiles(): Record<string, string> {
  // A connector's files (its demo exports, QuickBooks' qbXML order) travel with it, whichever connector it is.
  const connectorFiles = assetsUnder('src/connectors/').filter((path) => /^src\/connectors\/[^/]+\/(demo\/|[^/]+\.json$)/.test(path))
  const files = [...assetsUnder('public/'), ...assetsUnder('src/demo/data/'), ...connectorFiles, 'package.json', ADDON_ASSET]
  return Object.fromEntries(files.map((path) => [path, join(ROOT, path)]))
}

function seaBlob(assets: Record<string, string>): string {
  const manifest = join(WORK, 'assets.json')
  writeFileSync(manifest, JSON.stringify(Object.keys(assets).sort()))
  const blob = join(WORK, 'sea-prep.blob')
  const config = {
    main: join(WORK, 'clockbridge.cjs'),
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: true,
    assets: { ...assets, 'assets.json': manifest },
  }
  writeFileSync(join(WORK, 'sea-config.json'), JSON.stringify(config, null, 2))
  execFileSync(process.execPath, ['--experimental-sea-config', join(WORK, 'sea-config.json')], { stdio: 'inherit' })
  return blob
}

function inject(blob: string): void {
  rmSync(EXECUTABLE, { force: true })
  copyFileSync(process.execPath, EXECUTABLE)
  chmodSync(EXECUTABLE, 0o755)
  const postject = join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js')
  const args = [
    postject,
    EXECUTABLE,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    SENTINEL,
    ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ]
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
  if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', EXECUTABLE])
}

function checksum(): string {
  const hash = createHash('sha256').update(readFileSync(EXECUTABLE)).digest('hex')
  writeFileSync(`${EXECUTABLE}.sha256`, `${hash}  ${relative(DIST, EXECUTABLE)}\n`)
  return hash
}

const started = Date.now()
rmSync(WORK, { recursive: true, force: true })
mkdirSync(join(WORK, 'workers'), { recursive: true })
const bundled = await bundle()
const blob = seaBlob({ ...runtimeFiles(), ...bundled })
inject(blob)
const hash = checksum()
log(
  `Built ${relative(ROOT, EXECUTABLE)} (${(statSync(EXECUTABLE).size / 1e6).toFixed(1)} MB, ${process.platform}-${process.arch}, node ${process.version}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
)
log(`sha256 ${hash}  (${relative(ROOT, EXECUTABLE)}.sha256)`)
