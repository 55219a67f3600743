import { execFile } from 'node:child_process'

// Under systemd (Type=notify): tells it the server is ready, and pings its watchdog from a timer on
// the event loop, so a server whose loop hangs stops pinging and is restarted. Node cannot write to
// the notify socket itself (a Unix datagram socket), so systemd-notify sends for it
// (NotifyAccess=all in the unit). Outside systemd this does nothing.

const notify = (...args: string[]) => new Promise<void>((resolve) => execFile('systemd-notify', [`--pid=${process.pid}`, ...args], () => resolve()))

export async function notifyReady(): Promise<(() => void) | null> {
  if (!process.env.NOTIFY_SOCKET) return null
  await notify('--ready', `STATUS=listening`)
  const usec = Number(process.env.WATCHDOG_USEC)
  if (!usec) return () => void notify('STOPPING=1')
  const timer = setInterval(() => void notify('WATCHDOG=1'), Math.max(1000, usec / 1000 / 2))
  timer.unref()
  return () => {
    clearInterval(timer)
    void notify('STOPPING=1')
  }
}
