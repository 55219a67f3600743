import { main } from './main.js'

// The executable's entry (and npm start's): runs the command line and leaves with its exit code;
// a started server keeps the process alive until it is stopped.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`Clockbridge failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exitCode = 1
  },
)
