import { existsSync, readFileSync } from 'node:fs'
import { parseArgs, parseEnv } from 'node:util'
import { ConfigError, loadConfig } from '../config.js'
import { startServer } from '../server.js'
import { commandName } from '../runtime/assets.js'
import { appVersion as version, UpgradeRefusedError } from '../db/upgrade.js'
import { InstanceLockedError } from '../runtime/instance-lock.js'
import { prepareNativeSqlite } from '../runtime/native-sqlite.js'
import { adminCreateCommand, adminCreateFlags } from './admin-create.js'
import { backupCommand } from './backup.js'
import { keysRotateCommand } from './keys-rotate.js'
import { migrateCommand, moveCommand } from './migrate.js'
import { healthcheckCommand } from './healthcheck.js'
import { servicePrintCommand } from './service-unit.js'
import { complain, EXIT, say } from './output.js'

// The one command line of Clockbridge, for the binary and for npm's scripts alike:
//   clockbridge [serve] | migrate | admin create | backup <file> | keys rotate | demo | healthcheck | service print

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  name: { type: 'string' },
  'new-key': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  user: { type: 'string' },
  to: { type: 'string' },
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values']

type Command = {
  usage: string
  summary: string
  /** The options it takes besides the common ones (--port, --host, --data-dir, --config). */
  options: (keyof typeof OPTIONS)[]
  /** How many arguments it takes after its name. */
  args: number
  run: (settings: NodeJS.ProcessEnv, values: Values, args: string[]) => Promise<number>
}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'serve [--tls-cert <pem> --tls-key <pem>]',
    summary: 'start the server (the default), migrating the database first; HTTPS with a certificate and key (SIGHUP reloads them)',
    options: ['tls-cert', 'tls-key'],
    args: 0,
    run: async (settings) => (await startServer(loadConfig(settings)), EXIT.ok),
  },
  migrate: {
    usage: 'migrate [--to postgres://user:password@host/database]',
    summary: 'apply pending database migrations and exit; with --to, copy the whole database into a new, empty PostgreSQL database and check it',
    options: ['to'],
    args: 0,
    run: (settings, values) => (values.to === undefined ? migrateCommand(loadConfig(settings)) : moveCommand(loadConfig(settings), values.to)),
  },
  'admin create': {
    usage: "admin create --email <address> --password '<10+ characters>' [--name <name>]",
    summary: 'create a Super Admin (for unattended installs)',
    options: ['email', 'password', 'name'],
    args: 0,
    run: async (settings, values) => {
      const input = adminCreateFlags(values)
      return input ? adminCreateCommand(loadConfig(settings), input) : EXIT.usage
    },
  },
  backup: {
    usage: 'backup <file>',
    summary: 'copy the live database to a new file, consistently',
    options: [],
    args: 1,
    run: (settings, _v, args) => backupCommand(loadConfig(settings), args[0]!),
  },
  'keys rotate': {
    usage: 'keys rotate [--new-key <64 hex>]',
    summary: 're-encrypt stored credentials under a new key',
    options: ['new-key'],
    args: 0,
    run: (settings, values) => keysRotateCommand(loadConfig(settings), values['new-key'], settings),
  },
  demo: {
    usage: 'demo',
    summary: 'start with a demo company and simulated QuickBooks and Intacct (its own data folder)',
    options: [],
    args: 0,
    run: async (settings) => {
      const { startDemo } = await import('../demo/demo.js')
      await startDemo({ DATA_DIR: './data-demo', ...settings })
      return EXIT.ok
    },
  },
  healthcheck: {
    usage: 'healthcheck',
    summary: 'exit 0 when the server at --host/--port answers /healthz',
    options: [],
    args: 0,
    run: (settings) => healthcheckCommand(settings),
  },
  'service print': {
    usage: 'service print [--user <name>]',
    summary: 'print a hardened systemd unit for this executable',
    options: ['user'],
    args: 0,
    run: async (settings, values) => servicePrintCommand(settings, values.user),
  },
}

const COMMON =
  '  --port <n>        port to listen on (PORT, default 3000)\n  --host <address>  address to listen on (HOST, default 127.0.0.1)\n  --data-dir <dir>  where the database and key live (DATA_DIR, default ./data)\n  --config <file>   KEY=value settings file (CLOCKBRIDGE_CONFIG); the environment and flags win'

function help(): string {
  const name = commandName()
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.split(' [')[0]!.split(' --')[0]!.length))
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.split(' [')[0]!.split(' --')[0]!.padEnd(width)}  ${c.summary}`)
  return `Clockbridge ${version()}: the integrations hub of your time clock.\n\nUsage: ${name} [command] [options]\n\nCommands:\n${lines.join('\n')}\n\nOptions:\n${COMMON}\n  -h, --help        this help; ${name} <command> --help for one command\n  -v, --version     the version\n\nEvery setting is also an environment variable (see the README).`
}

const commandHelp = (command: Command) => `Usage: ${commandName()} ${command.usage}\n\n${command.summary}.\n\nOptions:\n${COMMON}`

/** The settings: the config file's, then the environment's, then the flags'. */
function environment(values: Values, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | string {
  const file = values.config ?? env.CLOCKBRIDGE_CONFIG
  let fromFile: NodeJS.ProcessEnv = {}
  if (file) {
    if (!existsSync(file)) return `--config: no file at ${file}`
    fromFile = parseEnv(readFileSync(file, 'utf8'))
  }
  const flags: NodeJS.ProcessEnv = {}
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) return `--port must be a whole number from 0 to 65535, not "${values.port}"`
    flags.PORT = values.port
  }
  if (values.host !== undefined) {
    if (!values.host.trim()) return '--host needs an address, such as 0.0.0.0 or 127.0.0.1'
    flags.HOST = values.host
  }
  if (values['tls-cert'] !== undefined) flags.TLS_CERT_FILE = values['tls-cert']
  if (values['tls-key'] !== undefined) flags.TLS_KEY_FILE = values['tls-key']
  if (values['data-dir'] !== undefined) {
    if (!values['data-dir'].trim()) return '--data-dir needs a folder'
    flags.DATA_DIR = values['data-dir']
  }
  // An empty variable counts as unset, as it does for the settings themselves.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value))
  return { ...fromFile, ...set, ...flags }
}

function parse(argv: string[]): { values: Values; positionals: string[] } | string {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    return (err as Error).message
  }
}

/** Runs the command line; resolves to the exit code (a server keeps running and resolves when started). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parse(argv)
  if (typeof parsed === 'string') return usageError(parsed)
  const { values, positionals } = parsed
  if (values.version) return (say(version()), EXIT.ok)
  const two = positionals.slice(0, 2).join(' ')
  const name = COMMANDS[two] ? two : (positionals[0] ?? 'serve')
  const command = COMMANDS[name]
  if (!command) return usageError(`Unknown command "${positionals.slice(0, 2).join(' ')}".`)
  if (values.help) return (say(positionals.length === 0 ? help() : commandHelp(command)), EXIT.ok)
  const args = positionals.slice(name.split(' ').length)
  if (args.length !== command.args)
    return usageError(
      `${name} takes ${command.args === 0 ? 'no arguments' : `${command.args} argument`}${args.length > command.args ? `, not "${args.join(' ')}"` : ''}.`,
      command,
    )
  const stray = (Object.keys(values) as (keyof typeof OPTIONS)[]).find(
    (k) => !['port', 'host', 'data-dir', 'config'].includes(k) && !command.options.includes(k),
  )
  if (stray) return usageError(`--${stray} is not an option of ${name}.`, command)
  const settings = environment(values, env)
  if (typeof settings === 'string') return usageError(settings, command)
  try {
    prepareNativeSqlite()
    return await command.run(settings, values, args)
  } catch (err) {
    if (err instanceof ConfigError) return usageError(err.message)
    if (err instanceof UpgradeRefusedError || err instanceof InstanceLockedError) return (complain(err.message), EXIT.failed)
    complain(`Clockbridge ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    return EXIT.failed
  }
}

function usageError(message: string, command?: Command): number {
  complain(message)
  complain(command ? `Usage: ${commandName()} ${command.usage}` : `See ${commandName()} --help`)
  return EXIT.usage
}
