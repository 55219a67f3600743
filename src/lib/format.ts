/** An ISO timestamp as `2026-11-24 21:30 UTC`: unambiguous for admins in any time zone. */
export function formatTimestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}
