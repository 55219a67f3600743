import { spawn, type ChildProcess } from 'node:child_process'

/** The real server in its own process (`src/cli/clockbridge.ts serve`), on 127.0.0.1 and a free port; resolves once it listens. */
export function startServerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/clockbridge.ts', 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', PUBLIC_BASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stderr!.on('data', (d) => (out += d))
    child.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n').find((l) => l.includes('"event":"listening"'))
      if (line) resolve({ child, port: JSON.parse(line).port as number })
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
}

/** Resolves when the process has ended (at once if it already has). */
export const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r))

/** Signs in over real HTTP as a browser would (same-origin form post); the Cookie header to send next, or an error with the status. */
export async function signInOverHttp(base: string, email: string, password: string): Promise<string> {
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
  })
  if (login.status !== 303) throw new Error(`sign-in answered ${login.status}`)
  return login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
}
