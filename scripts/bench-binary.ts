// npm run bench's rows for the executable (also alone: node --import tsx scripts/bench-binary.ts):
// its size, the time from starting it to its first answered request (the first start writes the
// SQLite addon and creates the database; the second reuses both), and how many pages a second it
// serves, each beside `npm start` (tsx over the sources) measured the same way in the same run.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '5' } } })
const EXECUTABLE = 'dist/clockbridge'

type Started = { ms: number; port: number; stop: () => Promise<void> }

/** Starts a server and times it to its first answered /healthz. */
async function start(command: string[], dir: string): Promise<Started> {
  const t0 = performance.now()
  const child = spawn(command[0]!, [...command.slice(1), 'serve', '--port', '0', '--data-dir', join(dir, 'data')], {
    env: { PATH: process.env.PATH, HOME: dir, CLOCKBRIDGE_CACHE_DIR: join(dir, 'cache'), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n').find((l) => l.includes('"event":"listening"'))
      if (line) resolve(JSON.parse(line).port as number)
    })
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}`)))
  })
  const res = await fetch(`http://127.0.0.1:${port}/healthz`)
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`)
  const ms = performance.now() - t0
  return { ms, port, stop: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))) }
}

/** Pages a second: ten clients asking for the sign-in page (rendered, no session) back to back. */
async function pageRate(port: number, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000
  let pages = 0
  const client = async () => {
    while (performance.now() < until) {
      const res = await fetch(`http://127.0.0.1:${port}/login`)
      await res.arrayBuffer()
      if (res.status === 200) pages++
    }
  }
  await Promise.all(Array.from({ length: 10 }, client))
  return pages / seconds
}

async function measure(command: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-bin-'))
  try {
    const first = await start(command, dir)
    await first.stop()
    const second = await start(command, dir)
    await pageRate(second.port, 1) // warm-up
    const rate = await pageRate(second.port, Number(args.seconds))
    await second.stop()
    return { first: first.ms, second: second.ms, rate }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (!existsSync(EXECUTABLE)) execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-binary.ts'], { stdio: 'ignore' })
const binary = await measure([EXECUTABLE])
const npm = await measure([process.execPath, '--import', 'tsx', 'src/cli/clockbridge.ts'])
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
const rows: [string, string, string, string][] = [
  ['the executable: its size', `${(statSync(EXECUTABLE).size / 1e6).toFixed(1)} MB`, '', ''],
  ['  first start to its first answer (writes the addon, creates the database)', fmt(binary.first), `npm start: ${fmt(npm.first)}`, ''],
  ['  second start to its first answer', fmt(binary.second), `npm start: ${fmt(npm.second)}`, '< 1 s'],
  [
    '  sign-in pages a second (10 clients)',
    `${binary.rate.toFixed(0)}/s`,
    `${(binary.rate / npm.rate).toFixed(2)}x npm start's ${npm.rate.toFixed(0)}/s`,
    'within 10%',
  ],
]
if (args.json) process.stdout.write(JSON.stringify(rows))
else for (const r of rows) process.stdout.write(`${r.join('  |  ')}\n`)
