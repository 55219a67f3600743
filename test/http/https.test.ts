import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect as tlsConnect } from 'node:tls'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.js'
import { exited, startServerProcess } from '../helpers/server-process.js'

const fixture = (name: string) => new URL(`../fixtures/tls/${name}`, import.meta.url).pathname
const CERT = fixture('localhost.crt')
const KEY = fixture('localhost.key')

function httpsGet(url: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: body ? 'POST' : 'GET', ca: readFileSync(CERT), headers: body ? { 'content-type': 'text/xml; charset=utf-8' } : {} },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

function httpsGetInsecure(url: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => (res.resume(), resolve({ status: res.statusCode ?? 0 })))
    req.on('error', reject)
    req.end()
  })
}

describe('serving HTTPS directly', () => {
  it('serves the app and the Web Connector service over TLS with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-https-'))
    const { child, port } = await startServerProcess({ DATA_DIR: dir, TLS_CERT_FILE: CERT, TLS_KEY_FILE: KEY })
    try {
      const health = await httpsGet(`https://localhost:${port}/healthz`)
      expect(health.status).toBe(200)
      const soap = await httpsGet(
        `https://localhost:${port}/qbwc`,
        '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><serverVersion xmlns="http://developer.intuit.com/"/></soap:Body></soap:Envelope>',
      )
      expect(soap.text).toContain('<serverVersionResult>Clockbridge')
    } finally {
      child.kill('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads the certificate and key again on SIGHUP, and keeps the old ones when the new ones are unreadable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-https-'))
    const cert = join(dir, 'server.crt')
    const key = join(dir, 'server.key')
    copyFileSync(CERT, cert)
    copyFileSync(KEY, key)
    const { child, port } = await startServerProcess({ DATA_DIR: dir, TLS_CERT_FILE: cert, TLS_KEY_FILE: key })
    const subject = () =>
      new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
          resolve(String(socket.getPeerCertificate().subject.O ?? ''))
          socket.end()
        })
        socket.on('error', reject)
      })
    const logged = (event: string) => new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes(event) && resolve()))
    try {
      expect(await subject()).toBe('')
      copyFileSync(fixture('renewed.crt'), cert)
      copyFileSync(fixture('renewed.key'), key)
      const reloaded = logged('"event":"tls_reloaded"')
      child.kill('SIGHUP')
      await reloaded
      expect(await subject()).toBe('Renewed')
      writeFileSync(key, 'not a key')
      const failed = logged('"event":"tls_reload_failed"')
      child.kill('SIGHUP')
      await failed
      expect(await subject()).toBe('Renewed')
      expect((await httpsGetInsecure(`https://127.0.0.1:${port}/healthz`)).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      await exited(child)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses half a TLS configuration, a missing file or a file that is not PEM, naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-tls-'))
    const notPem = join(dir, 'cert.txt')
    writeFileSync(notPem, 'hello')
    const base = { DATA_DIR: dir, SECRET_KEY: 'ab'.repeat(32) }
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: CERT })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE go together/)
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: join(dir, 'missing.crt'), TLS_KEY_FILE: KEY })).toThrow(
      /TLS_CERT_FILE: cannot read .*missing.crt \(ENOENT\)/,
    )
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: notPem, TLS_KEY_FILE: KEY })).toThrow(ConfigError)
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: CERT, TLS_KEY_FILE: notPem })).toThrow(/TLS_KEY_FILE: .* is not a PEM file/)
    const ok = loadConfig({ ...base, TLS_CERT_FILE: CERT, TLS_KEY_FILE: KEY, PORT: '8443', HOST: '0.0.0.0' })
    expect(ok.publicBaseUrl).toBe('https://localhost:8443')
    expect(ok.secureCookies).toBe(true)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('a body over the limit, over a real connection', () => {
  it('answers 413 and closes the connection cleanly once the body is sent, instead of resetting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-413-'))
    const { child, port } = await startServerProcess({ DATA_DIR: dir, BODY_LIMIT_BYTES: '65536', UPLOAD_LIMIT_BYTES: '1048576' })
    try {
      const big = 'x'.repeat(3 * 1024 * 1024)
      const form = await fetch(`http://127.0.0.1:${port}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: `email=${big}`,
      })
      expect(form.status).toBe(413)
      expect(form.headers.get('connection')).toBe('close')
      expect(await form.text()).toContain('413')
      const upload = new FormData()
      upload.set('file', new Blob([big]), 'big.csv')
      const res = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' }, body: upload })
      expect(res.status).toBe(413)
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
