import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

/**
 * The output must match its golden copy byte for byte; a missing copy fails. After a deliberate
 * change, review the output and write the copies with UPDATE_GOLDEN=1 (npm test -- <file>).
 */
export function matchGolden(file: URL, body: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, body)
  if (!existsSync(file)) throw new Error(`No golden file ${fileURLToPath(file)}: review the output, then write it with UPDATE_GOLDEN=1`)
  expect(Buffer.from(body)).toEqual(readFileSync(file))
}
