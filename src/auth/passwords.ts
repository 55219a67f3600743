import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

// scrypt is memory-hard and ships with Node: N=2^15, r=8 uses 32 MiB per hash. The cost of new
// hashes comes from configuration (PASSWORD_COST, 15 unless lowered for the tests); a hash keeps
// its own parameters, so it verifies whatever the cost is now.
export const FULL_PASSWORD_COST = 15
let PARAMS = { N: 2 ** FULL_PASSWORD_COST, r: 8, p: 1 }

/** Sets the cost (log2 of N) of the hashes made from now on; createDeps applies the configuration's. */
export function setPasswordCost(log2N: number): void {
  PARAMS = { N: 2 ** log2N, r: 8, p: 1 }
}
const KEY_LENGTH = 32

export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 256

function derive(password: string, salt: Buffer, params: typeof PARAMS): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r }
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))))
}

/** Returns `scrypt$N$r$p$salt$hash` (base64), so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$')
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

let dummyHash: Promise<string> | undefined
/** Verifies against a throwaway hash so an unknown email costs as much time as a wrong password. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('clockbridge-dummy-password')
  await verifyPassword(await dummyHash, password)
  return false
}
