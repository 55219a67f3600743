import { main } from '../../src/cli/main.js'

/**
 * The command line run in this process, as `clockbridge <args>` would run it: its exit code and
 * what it printed. The settings are `env` alone (quiet logs and the tests' scrypt cost by default).
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write
  try {
    const code = await main(args, { LOG_LEVEL: 'silent', PASSWORD_COST: process.env.PASSWORD_COST, ...env })
    return { code, stdout, stderr }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}
