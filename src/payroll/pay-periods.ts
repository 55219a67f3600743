// Pay periods: weekly and biweekly count from an anchor date (the first day of some period);
// semi-monthly runs from the 1st to the 15th and from the 16th to the month's last day.

export const PAY_FREQUENCIES = ['weekly', 'biweekly', 'semi-monthly'] as const
export type PayFrequency = (typeof PAY_FREQUENCIES)[number]

export type PaySchedule = { frequency: PayFrequency; anchor: string }

export type Period = { start: string; end: string }

const MS_PER_DAY = 86_400_000
const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY)
const dateOf = (day: number) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10)

/** A real calendar day written YYYY-MM-DD (2020-02-30 and 2020-13-01 are not). */
export const isIsoDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && Number.isFinite(dayNumber(v)) && dateOf(dayNumber(v)) === v

/** The period holding `date`. */
export function periodOf(schedule: PaySchedule, date: string): Period {
  if (schedule.frequency === 'semi-monthly') {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number]
    const month = `${y}-${String(m).padStart(2, '0')}`
    if (d <= 15) return { start: `${month}-01`, end: `${month}-15` }
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
    return { start: `${month}-16`, end: `${month}-${last}` }
  }
  const length = schedule.frequency === 'weekly' ? 7 : 14
  const offset = dayNumber(date) - dayNumber(schedule.anchor)
  const start = dayNumber(schedule.anchor) + Math.floor(offset / length) * length
  return { start: dateOf(start), end: dateOf(start + length - 1) }
}

/** The period before or after one. */
export function shiftPeriod(schedule: PaySchedule, period: Period, by: -1 | 1): Period {
  return periodOf(schedule, by === 1 ? dateOf(dayNumber(period.end) + 1) : dateOf(dayNumber(period.start) - 1))
}

/** Every date of a period, in order. */
export function datesOf(period: Period): string[] {
  const out: string[] = []
  for (let d = dayNumber(period.start); d <= dayNumber(period.end); d++) out.push(dateOf(d))
  return out
}
