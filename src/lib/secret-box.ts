import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

// Credentials at rest: AES-256-GCM, a fresh 12-byte IV per blob, and the id of the key that sealed
// it, so keys can rotate: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).

export type Keyring = { current: Buffer; previous: Buffer[] }

export const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8)

export class SecretBoxError extends Error {}

export function seal(keyring: Keyring, plaintext: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyring.current, iv)
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return ['v1', keyIdOf(keyring.current), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
}

export function open(keyring: Keyring, blob: string): string {
  const [version, keyId, iv, tag, ct] = blob.split('.')
  if (version !== 'v1' || !keyId || !iv || !tag || ct === undefined) throw new SecretBoxError('Stored credentials are not in a known format.')
  const key = [keyring.current, ...keyring.previous].find((k) => keyIdOf(k) === keyId)
  if (!key) {
    throw new SecretBoxError(
      `Stored credentials were sealed with key ${keyId}, which this server does not have. Restore that key (SECRET_KEY or secret.key), or enter the credentials again.`,
    )
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    throw new SecretBoxError('Stored credentials failed their integrity check; enter them again.')
  }
}

/** The key id a blob was sealed with, without opening it. */
export const sealedWith = (blob: string) => blob.split('.')[1] ?? ''
