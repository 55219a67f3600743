import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { onTestFinished } from 'vitest'

// What notifications are sent to in tests: a real SMTP server and a real HTTP receiver on 127.0.0.1.

export type ReceivedMail = { from: string; to: string[]; subject: string; text: string; raw: string }

/** An SMTP server that accepts any user (or none) and keeps each message. */
export async function smtpReceiver(opts: { user?: string; pass?: string } = {}) {
  const messages: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: !opts.user,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === opts.user && auth.password === opts.pass) callback(null, { user: auth.username })
      else callback(new Error('Invalid user name or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const [head = '', ...rest] = raw.split(/\r?\n\r?\n/)
        const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: /^Subject: (.*)$/im.exec(unfolded)?.[1]?.trim() ?? '',
          text: decodeQuotedPrintable(rest.join('\n\n')),
          raw,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { port, messages }
}

const decodeQuotedPrintable = (s: string) => s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

export type ReceivedRequest = { headers: IncomingHttpHeaders; body: string }

/** An HTTP receiver that answers `failFirst` requests with 500, then 204; it keeps every request. */
export async function webhookReceiver(opts: { failFirst?: number } = {}) {
  const requests: ReceivedRequest[] = []
  let failures = opts.failFirst ?? 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      if (failures > 0) {
        failures--
        res.writeHead(500).end('not now')
      } else res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/clockbridge`
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url, requests }
}
