// What a command prints: results on stdout, problems on stderr, one line each.
export const say = (line: string) => void process.stdout.write(`${line}\n`)
export const complain = (line: string) => void process.stderr.write(`${line}\n`)

/** Exit codes: 0 done, 1 it failed (the message says why), 2 the command line or a setting is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const
