/** An ISO timestamp as `2026-11-24 21:30 UTC`: unambiguous for admins in any time zone. */
export function formatTimestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** Today in a time zone (the company's), as YYYY-MM-DD. */
export const today = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())

/** Minutes as hours and minutes, such as 7:30. */
export const formatMinutes = (m: number) => `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`
