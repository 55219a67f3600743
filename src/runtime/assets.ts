import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sea from 'node:sea'

// Files the app reads at run time (public/, the demo data, the qbXML order, the worker bundles,
// the SQLite addon), named by their path in the repository. From the source tree under npm they
// are read from disk; in the one-file binary (Node's single executable application) they are
// assets inside it, listed by the manifest the build writes (SEA offers no listing of its own).

/** True when running as the built executable rather than from the source tree. */
export const inBinary = (): boolean => sea.isSea()

/** How to run Clockbridge's commands here: the binary, or npm's script from the source tree. */
export const commandName = () => (inBinary() ? 'clockbridge' : 'npm run cli --')

const MANIFEST = 'assets.json'

/** The repository root, where the source tree's files are (never used inside the binary). */
const sourceRoot = () => fileURLToPath(new URL('../..', import.meta.url))

export function asset(path: string): Buffer {
  if (inBinary()) return Buffer.from(sea.getAsset(path))
  return readFileSync(join(sourceRoot(), path))
}

export const assetText = (path: string): string => asset(path).toString('utf8')

let manifest: string[] | null = null

/** Every asset path under a folder ("public/", "src/demo/data/"), sorted. */
export function assetsUnder(folder: string): string[] {
  const prefix = folder.endsWith('/') ? folder : `${folder}/`
  if (inBinary()) {
    manifest ??= JSON.parse(assetText(MANIFEST)) as string[]
    return manifest.filter((p) => p.startsWith(prefix))
  }
  return filesUnder(join(sourceRoot(), prefix)).map((file) => relative(sourceRoot(), file).split(sep).join('/'))
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name)
      return statSync(full).isDirectory() ? filesUnder(full) : [full]
    })
}
