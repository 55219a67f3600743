import { resolve } from 'node:path'
import { EXIT, say } from './output.js'

/**
 * clockbridge service print: a systemd unit for this executable. The server tells systemd it is
 * ready and pings its watchdog from the event loop (runtime/systemd.ts), so a hung server is
 * restarted; it runs as its own user with the system read-only except its data folder.
 */
export function servicePrintCommand(settings: NodeJS.ProcessEnv, user = 'clockbridge'): number {
  const dataDir = resolve(settings.DATA_DIR ?? '/var/lib/clockbridge')
  const environment = [`DATA_DIR=${dataDir}`, `HOST=${settings.HOST ?? '127.0.0.1'}`, `PORT=${settings.PORT ?? '3000'}`]
  say(`# ${process.execPath.endsWith('clockbridge') ? '' : 'Adjust ExecStart to where the clockbridge executable is. '}Install:
#   sudo useradd --system --home ${dataDir} --shell /usr/sbin/nologin ${user}
#   sudo install -d -o ${user} -g ${user} -m 0700 ${dataDir}
#   clockbridge service print | sudo tee /etc/systemd/system/clockbridge.service
#   sudo systemctl daemon-reload && sudo systemctl enable --now clockbridge
[Unit]
Description=Clockbridge integrations hub
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
NotifyAccess=all
ExecStart=${process.execPath.endsWith('clockbridge') ? process.execPath : '/usr/local/bin/clockbridge'} serve
${environment.map((e) => `Environment=${e}`).join('\n')}
User=${user}
Group=${user}
WorkingDirectory=${dataDir}
Restart=always
RestartSec=5
WatchdogSec=60
TimeoutStopSec=30
KillSignal=SIGTERM
# Hardening: nothing is writable but the data folder and the addon cache.
ProtectSystem=strict
ReadWritePaths=${dataDir}
CacheDirectory=clockbridge
Environment=CLOCKBRIDGE_CACHE_DIR=/var/cache/clockbridge
ProtectHome=true
PrivateTmp=true
PrivateDevices=true
NoNewPrivileges=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectControlGroups=true
RestrictSUIDSGID=true
RestrictNamespaces=true
LockPersonality=true
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
CapabilityBoundingSet=
UMask=0077

[Install]
WantedBy=multi-user.target`)
  return EXIT.ok
}
